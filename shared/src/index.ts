export * from './limits';
export * from './common';
export * from './inventory';
export * from './catalog';
export * from './admin';
export * from './messages';
export * from './orders';
export * from './listings';
