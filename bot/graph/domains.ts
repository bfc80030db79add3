import type { Client } from '@microsoft/microsoft-graph-client';
import { z } from 'zod';
import { directoryUnavailable, isGraphError } from './errors';
import { pathSegment } from './odata';

export interface OwnDomain {
  /** The DNS name, lower-case. */
  id: string;
  authenticationType: 'Managed' | 'Federated';
  isVerified: boolean;
}

/** The internalDomainFederation of one of our federated domains: where our on-prem IdP takes sign-ins. */
export interface OwnFederation {
  displayName?: string;
  issuerUri?: string;
  passiveSignInUri?: string;
  preferredAuthenticationProtocol?: string;
}

const DomainList = z.object({
  value: z.array(
    z.object({
      id: z.string(),
      authenticationType: z.string().nullish(),
      isVerified: z.boolean().nullish(),
    }),
  ),
});

const FederationList = z.object({
  value: z.array(
    z.object({
      displayName: z.string().nullish(),
      issuerUri: z.string().nullish(),
      passiveSignInUri: z.string().nullish(),
      preferredAuthenticationProtocol: z.string().nullish(),
    }),
  ),
});

/** Our tenant's own domains over Graph (Domain.Read.All). The realm service caches these; each call here is one round trip. */
export class GraphDomains {
  constructor(private readonly graph: Client) {}

  async list(): Promise<OwnDomain[]> {
    try {
      const response: unknown = await this.graph.api('/domains?$select=id,authenticationType,isVerified').get();
      return DomainList.parse(response).value.map((d) => ({
        id: d.id.toLowerCase(),
        authenticationType: d.authenticationType?.toLowerCase() === 'federated' ? 'Federated' : 'Managed',
        isVerified: d.isVerified ?? false,
      }));
    } catch (error) {
      throw directoryUnavailable('Reading our domains', error);
    }
  }

  /** Undefined when Graph says the domain has no federation (404). */
  async federation(domain: string): Promise<OwnFederation | undefined> {
    try {
      const response: unknown = await this.graph.api(`/domains/${pathSegment(domain)}/federationConfiguration`).get();
      const first = FederationList.parse(response).value[0];
      if (!first) return undefined;
      return {
        displayName: first.displayName ?? undefined,
        issuerUri: first.issuerUri ?? undefined,
        passiveSignInUri: first.passiveSignInUri ?? undefined,
        preferredAuthenticationProtocol: first.preferredAuthenticationProtocol ?? undefined,
      };
    } catch (error) {
      if (isGraphError(error, 404)) return undefined;
      throw directoryUnavailable('Reading the federation settings of our domain', error);
    }
  }
}
