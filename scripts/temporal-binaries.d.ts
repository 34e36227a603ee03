/** Types of scripts/temporal-binaries.js (plain JS so `npm run setup` needs no TypeScript). */
export declare const TOOLS_DIR: string;
export declare const PINNED: string[];
export declare function resolveTemporalBinaries(): { cli?: string; testServer?: string };
