export { CHROMIUM_CANDIDATES, findChromium, headlessModeOf, type ChromiumSearch } from "./chromium.js";
export { isRenderError, RenderError, type RenderErrorCode } from "./errors.js";
export {
  createRenderer,
  renderMermaid,
  type Renderer,
  type RendererOptions,
  type RenderFormat,
  type RenderOptions,
} from "./renderer.js";
