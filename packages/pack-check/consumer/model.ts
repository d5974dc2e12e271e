// A @weft/openai model node against the local OpenAI-compatible test server the package ships.
import { END, START, StateGraph } from "@weft/core";
import { modelNode } from "@weft/openai";
import { startTestServer } from "@weft/openai/testing";
import { z } from "zod";

const server = await startTestServer({ replies: [{ match: "superstep", text: "A step where every ready node runs at once." }] });
const State = z.object({ question: z.string(), answer: z.string().optional() });
type State = z.output<typeof State>;

const graph = new StateGraph(State)
  .addNode(
    "answer",
    modelNode({
      client: server.client(),
      model: "test-model",
      messages: (s: State) => [{ role: "user", content: s.question }],
      output: (answer) => ({ answer: answer.text }),
    }),
  )
  .addEdge(START, "answer")
  .addEdge("answer", END)
  .compile();

try {
  const { answer } = await graph.invoke({ question: "What is a superstep?" });
  console.log(`answer: ${answer}`);
  console.log(`requests: ${server.requests.length}, model: ${server.requests[0]?.body.model}`);
} finally {
  await server.close();
}
