// The mermaid-cli engine without its optional peer, @mermaid-js/mermaid-cli, which the tarballs
// do not install: createRenderer says what to install, before it starts a browser.
import { createRenderer, isRenderError } from "@weft/mermaid";

try {
  const renderer = await createRenderer({ engine: "mermaid-cli" });
  await renderer.close();
  console.log("started");
} catch (error) {
  console.log(isRenderError(error) ? `${error.code}: ${error.message}` : `not a RenderError: ${String(error)}`);
}
