import type { Client } from '@microsoft/microsoft-graph-client';
import { z } from 'zod';

/**
 * The request header that, with `$count=true` in the URL, makes a directory query an "advanced query" (GD
 * concepts/aad-advanced-queries). Graph refuses the queries its page lists as advanced-only without both.
 */
export const ADVANCED_QUERY_HEADERS: Readonly<Record<string, string>> = Object.freeze({ ConsistencyLevel: 'eventual' });

export interface PageOptions {
  /** Headers sent with every page request, such as {@link ADVANCED_QUERY_HEADERS}: a nextLink keeps the query, not the headers. */
  headers?: Readonly<Record<string, string>>;
}

/**
 * Every item of a Graph collection, following `@odata.nextLink` until the last page. Graph pages collections (100 items by
 * default for directory objects), so reading one page would silently drop the rest.
 */
export async function allPages<T>(graph: Client, firstUrl: string, item: z.ZodType<T>, options: PageOptions = {}): Promise<T[]> {
  const Page = z.object({ value: z.array(item), '@odata.nextLink': z.string().optional() });
  const items: T[] = [];
  let next: string | undefined = firstUrl;
  while (next) {
    const request = graph.api(next);
    if (options.headers) request.headers({ ...options.headers });
    const page = Page.parse(await request.get());
    items.push(...page.value);
    next = page['@odata.nextLink'];
  }
  return items;
}
