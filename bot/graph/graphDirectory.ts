import type { Client } from '@microsoft/microsoft-graph-client';
import { z } from 'zod';
import type { GroupMembershipReader } from '../identity/roles';
import { directoryUnavailable } from './errors';
import { pathSegment } from './odata';

const IdList = z.object({ value: z.array(z.string()) });

/** Directory reads the foundation needs, over Graph. Feature services add their own typed calls beside this one. */
export class GraphDirectory implements GroupMembershipReader {
  constructor(private readonly graph: Client) {}

  /** Transitive membership in one call (POST checkMemberGroups), which is also the least-privilege way to ask. */
  async checkMemberGroups(userObjectId: string, groupIds: string[]): Promise<string[]> {
    try {
      const response: unknown = await this.graph.api(`/users/${pathSegment(userObjectId)}/checkMemberGroups`).post({ groupIds });
      return IdList.parse(response).value;
    } catch (error) {
      throw directoryUnavailable('Checking group membership', error);
    }
  }
}
