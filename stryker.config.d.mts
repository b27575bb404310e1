import type { PartialStrykerOptions } from '@stryker-mutator/api/core';

/** The modules `npm run mutate` tries, in groups, each with the tests it runs against them. */
export declare const GROUPS: Record<string, { mutate: string[]; tests: string[] }>;
declare const config: PartialStrykerOptions;
export default config;
