import crypto from 'node:crypto';

const ADJECTIVES = ['brave', 'calm', 'eager', 'fancy', 'gentle', 'happy', 'jolly', 'keen', 'lucid', 'merry', 'nimble', 'quiet', 'rapid', 'sharp', 'sunny', 'tidy', 'vivid', 'witty', 'young', 'zesty'];
const NOUNS = ['otter', 'heron', 'badger', 'falcon', 'lynx', 'marten', 'osprey', 'puffin', 'raven', 'salmon', 'seal', 'stoat', 'tern', 'vole', 'wren', 'beaver', 'crane', 'gull', 'hare', 'newt'];

export const NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/;

export function randomName(): string {
  const pick = (list: string[]): string => list[crypto.randomInt(list.length)] as string;
  return `${pick(ADJECTIVES)}_${pick(NOUNS)}`;
}

export function newContainerId(): string {
  return crypto.randomBytes(32).toString('hex');
}
