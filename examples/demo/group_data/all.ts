/** Data every host of the demo sees as host.data. */
export const owner = "the demo team";
