/** Name of the port the popup keeps open to the background while it shows, for live updates. */
export const popupPortName = 'onhand.popup';
