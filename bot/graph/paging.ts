import type { Client } from '@microsoft/microsoft-graph-client';
import { z } from 'zod';

/**
 * Every item of a Graph collection, following `@odata.nextLink` until the last page. Graph pages collections (100 items by
 * default for directory objects), so reading one page would silently drop the rest.
 */
export async function allPages<T>(graph: Client, firstUrl: string, item: z.ZodType<T>): Promise<T[]> {
  const Page = z.object({ value: z.array(item), '@odata.nextLink': z.string().optional() });
  const items: T[] = [];
  let next: string | undefined = firstUrl;
  while (next) {
    const page = Page.parse(await graph.api(next).get());
    items.push(...page.value);
    next = page['@odata.nextLink'];
  }
  return items;
}
