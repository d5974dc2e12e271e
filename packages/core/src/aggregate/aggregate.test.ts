import { describe, expect, it } from "vitest";
import { bestScore, concatenate, formatVote, majorityVote, mergeUnique } from "../aggregate.js";

describe("majorityVote", () => {
  it("reports the seed's five labels as positive with 80% confidence", () => {
    const vote = majorityVote(["positive", "positive", "negative", "positive", "positive"]);
    expect(formatVote(vote)).toBe("positive (confidence: 80%)");
    expect(vote.tally).toEqual([
      { value: "positive", count: 4 },
      { value: "negative", count: 1 },
    ]);
  });

  it("breaks a tie in favour of the answer voted first", () => {
    expect(majorityVote(["no", "yes", "yes", "no"]).winner).toBe("no");
  });

  it("groups answers by key", () => {
    const vote = majorityVote(
      [
        { label: "A", by: 1 },
        { label: "B", by: 2 },
        { label: "A", by: 3 },
      ],
      (v) => v.label,
    );
    expect(vote.winner).toEqual({ label: "A", by: 1 });
    expect(vote.count).toBe(2);
  });

  it("refuses an empty vote", () => {
    expect(() => majorityVote([])).toThrow(RangeError);
  });
});

describe("bestScore", () => {
  it("returns the highest-scoring result, the earliest on a tie", () => {
    const results = [
      { id: "a", score: 7 },
      { id: "b", score: 9 },
      { id: "c", score: 9 },
    ];
    expect(bestScore(results, (r) => r.score).id).toBe("b");
  });

  it("never picks a result whose score is NaN, even the first one, and throws when every score is", () => {
    const judged = [
      { id: "unparsed", score: Number.parseFloat("n/a") },
      { id: "low", score: 3 },
      { id: "high", score: 8 },
    ];
    expect(bestScore(judged, (r) => r.score).id).toBe("high");
    expect(bestScore([{ score: Number.NaN }, { score: -Infinity }], (r) => r.score).score).toBe(-Infinity);
    expect(() => bestScore([{ score: Number.NaN }], (r) => r.score)).toThrow(
      "bestScore: none of the 1 results has a score that is a number (all are NaN).",
    );
  });
});

describe("mergeUnique", () => {
  it("keeps the first occurrence of each item in order of appearance", () => {
    expect(
      mergeUnique([
        ["a", "b"],
        ["b", "c"],
        ["a", "d"],
      ]),
    ).toEqual(["a", "b", "c", "d"]);
  });
});

describe("concatenate", () => {
  it("joins results in the given order", () => {
    expect(concatenate(["one", "two", "three"], " | ")).toBe("one | two | three");
  });
});
