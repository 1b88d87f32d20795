/**
 * The relay benchmarks' command line (run.ts, presence.ts, soak.ts): options written
 * `--name=value` and bare flags written `--name`, read from this process's arguments. Nothing
 * here checks a value: each script turns what it reads into its own settings and defaults.
 */

/** This process's arguments after the script's path. */
export const ARGS = process.argv.slice(2);

/** The value of the first `--name=value`, or undefined if there is none. */
export const option = (name: string): string | undefined => options(name)[0];

/** The values of every `--name=value`, in order (for an option that may be repeated). */
export const options = (name: string): string[] =>
	ARGS.filter((a) => a.startsWith(`--${name}=`)).map((a) => a.slice(name.length + 3));

/** Whether the bare flag `--name` is given. */
export const flag = (name: string): boolean => ARGS.includes(`--${name}`);
