export { startStudio, type StudioOptions } from "./studio.js";
