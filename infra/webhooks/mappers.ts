import type { ProviderMapper } from './callback-effects.ts';
import type { ProviderName } from './inbox-stream.ts';
import { simMapper } from './sim-mapper.ts';
import { stripeMapper } from './stripe-mapper.ts';

export const PROVIDER_MAPPERS: Readonly<Record<ProviderName, ProviderMapper>> = {
  stripe: stripeMapper,
  sim: simMapper,
};
