/**
 * Partial-word matching without n-gram analyzers (the analysis-common module is not in every
 * distribution): the indexer stores each body's lowercased character trigrams in a keyword field,
 * and a term matches a document holding all of the term's trigrams.
 */
export function trigrams(text: string): string[] {
  const chars = [...text.toLowerCase()];
  const grams = new Set<string>();
  for (let i = 0; i + 3 <= chars.length; i++) grams.add(chars.slice(i, i + 3).join(""));
  return [...grams];
}
