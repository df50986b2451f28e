export function parse(text: string): Record<string, string>;
export function getConfig(): Readonly<Record<string, string>>;
export default getConfig;
