// Docker-style generated names (adjective_surname) for `docker run` without --name.
import { randomInt } from "node:crypto";

const ADJECTIVES = [
  "admiring",
  "brave",
  "clever",
  "eager",
  "festive",
  "gallant",
  "happy",
  "jolly",
  "keen",
  "lucid",
  "nifty",
  "quirky",
  "serene",
  "vibrant",
  "zealous",
];
const SURNAMES = [
  "babbage",
  "curie",
  "darwin",
  "euclid",
  "feynman",
  "hopper",
  "kepler",
  "lovelace",
  "noether",
  "pascal",
  "ritchie",
  "shannon",
  "turing",
  "wozniak",
  "yonath",
];

export function randomContainerName(): string {
  return `${ADJECTIVES[randomInt(ADJECTIVES.length)]}_${SURNAMES[randomInt(SURNAMES.length)]}`;
}
