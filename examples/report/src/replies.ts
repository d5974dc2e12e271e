import type { RecordedRequest, Reply, ScriptedReply } from "@weft/openai/testing";
import { lastUserText } from "@weft/openai/testing";

/** The demo's topic. */
export const DEFAULT_TOPIC = "Parallel execution in LLM agents";

const PLAN = {
  title: "Parallel Execution in LLM Agents: A Practical Guide",
  sections: [
    {
      title: "Why parallelism matters",
      brief: "How running independent work at once cuts an agent's latency from the sum of its steps to its slowest step.",
    },
    {
      title: "Sectioning and voting",
      brief: "The two forms of parallelism: different subtasks side by side, or the same task several times for confidence.",
    },
    {
      title: "Fan-out and fan-in",
      brief: "Static edges for branches known in advance, Send for work decided at run time, and the aggregator that joins them.",
    },
    {
      title: "Failures, timeouts and rate limits",
      brief: "Choosing between fail-fast and best-effort, bounding each branch with a timeout, and capping concurrency.",
    },
    {
      title: "Choosing an aggregation strategy",
      brief: "Concatenation, majority vote, best score, merging and LLM synthesis, and when each one fits.",
    },
  ],
};

const SECTIONS: Readonly<Record<string, string>> = {
  "Why parallelism matters": `An agent that checks the weather in three cities, reviews a pull request for three concerns, or drafts five sections of a report spends most of its time waiting: on a model, on an API, on a database. When those calls do not depend on each other, making them one after another only adds the waits together. Three half-second calls take a second and a half in sequence and about half a second side by side.

The gain grows with the number of branches and with their latency, which for model calls is measured in seconds. Running independent work at once turns the cost of a step from the sum of its parts into the cost of its slowest part, and that is often the difference between a response that feels instant and one that feels broken.`,
  "Sectioning and voting": `Parallel work comes in two shapes. In sectioning, each branch does a different piece of the job: one fetches the weather, one the news, one the calendar, and an aggregator turns the three into a briefing. The pieces are independent by construction, so they can all start at once.

In voting, several branches do the same job, with different prompts, models or temperatures, and the results are compared. Three or five judges classifying the same text, with the majority deciding, catch mistakes a single judge would make; a panel of generators followed by a scorer picks the best of several attempts. Voting buys confidence with extra calls, and running them in parallel keeps that confidence from costing time.`,
  "Fan-out and fan-in": `The structure behind both shapes is fan-out and fan-in: one node hands out the work, the branches run independently, and one node collects the results. When the branches are known when the graph is written, plain edges express them: three edges out of the start, three edges into the aggregator.

When the work is only known at run time, as with the sections of this report, a router returns one Send per item instead, and each Send becomes its own task with its own input. Results are collected in a list that every branch appends to, in the order the work was handed out rather than the order it finished, so the report reads in plan order however the writers raced.`,
  "Failures, timeouts and rate limits": `Every branch that runs in parallel can fail in parallel, so the failure policy has to be chosen up front. Fail-fast cancels the siblings as soon as one branch fails, which suits work that is useless when incomplete. Best-effort lets the others finish and reports what went wrong, which suits dashboards, searches and reviews, where most of the answer is still worth having.

Two limits keep parallel agents well behaved. A timeout on each branch stops one slow call from holding up the rest, and the cancellation should reach the HTTP request itself. A concurrency cap keeps the agent under the rate limits of the APIs it calls: tasks beyond the cap wait their turn rather than being dropped, so nothing is lost and nothing is hammered.`,
  "Choosing an aggregation strategy": `How the results are combined depends on what they are. Sections of a report are concatenated in order; classifications are settled by majority vote, with the share of agreeing judges as the confidence; competing drafts are scored and the best one kept; facts gathered from several sources are merged with duplicates removed.

When the parts must become one coherent answer, a final model call can synthesize them, at the cost of one more round trip. A useful middle way, used for this report, is to concatenate the sections as written and ask a model only for the introduction, which keeps every section intact and in order while still giving the whole a voice.`,
};

const INTRO = `Large language model agents are slow for a simple reason: they wait on models and tools, one call at a time. This report shows how to stop waiting in sequence. It explains why running independent work at once cuts latency to that of the slowest step, describes the two forms that parallel work takes, sectioning and voting, and the fan-out and fan-in structure behind both. It then covers what parallelism demands in return, a policy for failures, timeouts and concurrency limits, and closes with the strategies for combining parallel results into one answer.`;

/** What the reviewer says about each first draft: the draft is the section's first paragraph, the revision adds the second. */
const CRITIQUES: Readonly<Record<string, string>> = {
  "Why parallelism matters": `- The brief promises the latency argument in general; the draft stops at one example. Say how the gain grows with the number of branches and their latency.
- End on what the difference means for the user: an answer that feels instant or one that feels broken.`,
  "Sectioning and voting": `- Only sectioning is covered; the brief names two forms. Add voting: the same task several times, compared.
- Say what voting buys (confidence) and why running the votes in parallel keeps it from costing time.`,
  "Fan-out and fan-in": `- The draft covers branches known in advance but not work decided at run time, which the brief asks for. Add Send.
- Explain how the results come back in order when the branches finish in any order.`,
  "Failures, timeouts and rate limits": `- Timeouts and concurrency caps are in the brief but not in the draft. Add both.
- Say that the cancellation should reach the request itself, and that capped tasks wait rather than being dropped.`,
  "Choosing an aggregation strategy": `- LLM synthesis is in the brief but missing. Add it, with its cost of one more round trip.
- Close with the strategy this report uses, as a worked example.`,
};

/** A first draft: the section's first paragraph. */
const draftOf = (title: string): string => SECTIONS[title]!.split("\n\n")[0]!;

/** The system prompt a request starts with: which model node of the graph sent it. */
const systemText = (request: RecordedRequest): string => String(request.body.messages[0]?.content ?? "");
const isPlanner = (request: RecordedRequest): boolean => request.body.response_format?.json_schema?.name === "plan";
const isIntro = (request: RecordedRequest): boolean => systemText(request).startsWith("Write the introduction");
const isDraft = (request: RecordedRequest): boolean => systemText(request).startsWith("You write one section");
const isCritique = (request: RecordedRequest): boolean => systemText(request).startsWith("You review one section");
const isRevision = (request: RecordedRequest): boolean => systemText(request).startsWith("You revise one section");
const sectionOf = (request: RecordedRequest): string | undefined => /^Section: (.*)$/m.exec(lastUserText(request))?.[1];

/**
 * The local server's script for the demo topic: a planner answer (JSON); for each section a
 * first draft and its revision, streamed word by word, with a review in between; and the
 * introduction, each after a realistic delay. Other topics get plausible generic text from
 * {@link genericReply}.
 */
export const REPLIES: readonly ScriptedReply[] = [
  { match: (r) => isPlanner(r) && lastUserText(r) === `Topic: ${DEFAULT_TOPIC}`, json: PLAN, latencyMs: 900, times: Infinity },
  ...PLAN.sections.flatMap((section, i): ScriptedReply[] => {
    const of = (r: RecordedRequest): boolean => sectionOf(r) === section.title;
    return [
      { match: (r) => isDraft(r) && of(r), text: draftOf(section.title), latencyMs: 200 + 100 * (i % 3), chunkDelayMs: 5, times: Infinity },
      { match: (r) => isCritique(r) && of(r), text: CRITIQUES[section.title]!, latencyMs: 300, times: Infinity },
      { match: (r) => isRevision(r) && of(r), text: SECTIONS[section.title]!, latencyMs: 150, chunkDelayMs: 4, times: Infinity },
    ];
  }),
  { match: (r) => isIntro(r) && lastUserText(r).startsWith(`Report: ${PLAN.title}\n`), text: INTRO, latencyMs: 800, times: Infinity },
];

/** Answers any other topic offline: a generic plan, sections, reviews and introduction that name it. */
export function genericReply(request: RecordedRequest): Reply {
  const text = lastUserText(request);
  if (isPlanner(request)) {
    const topic = text.replace(/^Topic: /, "");
    return {
      latencyMs: 900,
      json: {
        title: `${topic}: An Overview`,
        sections: [
          { title: `Why ${topic} matters`, brief: `The problem ${topic} addresses and who it is for.` },
          { title: `How ${topic} works`, brief: `The main ideas and moving parts of ${topic}.` },
          { title: `${topic} in practice`, brief: `Where ${topic} is used today and what it takes to adopt it.` },
          { title: "Pitfalls and open questions", brief: `Common mistakes with ${topic} and what is still unsettled.` },
        ],
      },
    };
  }
  if (isIntro(request)) {
    const title = /^Report: (.*)$/m.exec(text)?.[1] ?? "this report";
    return {
      latencyMs: 800,
      text: `This report, ${title}, gives a short tour of its subject: why it matters, how it works, how it is used in practice, and where the pitfalls lie. (Written offline by the local test server; set OPENAI_API_KEY for a real model.)`,
    };
  }
  const section = sectionOf(request) ?? "this section";
  const brief = /^It covers: (.*)$/m.exec(text)?.[1] ?? "";
  if (isCritique(request)) {
    return {
      latencyMs: 300,
      text: `- Cover the whole brief of "${section}": ${brief}\n- Say what a real model would add here. (Written offline by the local test server.)`,
    };
  }
  const first = `This section, "${section}", covers the following: ${brief} The local test server wrote this placeholder paragraph without a model, after a realistic delay, so the run shows its shape and timing offline.`;
  if (isDraft(request)) return { latencyMs: 250, chunkDelayMs: 5, text: first };
  return {
    latencyMs: 150,
    chunkDelayMs: 4,
    text: `${first}

A real model would write two short paragraphs here, then review and revise them. Set OPENAI_API_KEY (and optionally OPENAI_BASE_URL and WEFT_MODEL) to run the same graph against OpenAI.`,
  };
}
