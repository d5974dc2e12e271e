/** Helpers that merge the results of parallel branches: concatenation, votes, scores, unions. */
export { bestScore } from "./aggregate/best-score.js";
export { concatenate } from "./aggregate/concatenate.js";
export { formatVote, majorityVote, type Vote } from "./aggregate/majority-vote.js";
export { mergeUnique } from "./aggregate/merge-unique.js";
