import type { PartialStrykerOptions } from '@stryker-mutator/api/core';

/** The modules `npm run mutate` tries, in groups, each with the tests it runs against them. */
export declare const GROUPS: Record<string, { mutate: string[]; tests: string[] }>;
/** The groups a run tries: the one named, or all of them. */
export declare function groupsOf(name: string | undefined): { mutate: string[]; tests: string[] }[];
declare const config: PartialStrykerOptions;
export default config;
