import { actorClaimInterceptor } from '../../infra/actor-claims';
import { dataConverterFor } from '../../infra/data-converter';
import { parseKeyRing } from '../../infra/keys';

/**
 * Fixed test keys (never used outside the tests): the committed replay fixtures are recorded with TEST_PAYLOAD_KEYS,
 * and every test client, worker and API of the tests uses them.
 */
export const TEST_PAYLOAD_KEYS = 'test-2026:dGVzdC1vbmx5LXBheWxvYWQta2V5LTMyLWJ5dGVzISE=';
export const TEST_ACTOR_KEYS = 'test-actor:dGVzdC1vbmx5LWFjdG9yLWtleS0tLTMyLWJ5dGVzISE=';
export const TEST_KEYS_ENV = { PAYLOAD_KEYS: TEST_PAYLOAD_KEYS, ACTOR_KEYS: TEST_ACTOR_KEYS };

export const testPayloadRing = () => parseKeyRing(TEST_PAYLOAD_KEYS, 'TEST_PAYLOAD_KEYS');
export const testActorRing = () => parseKeyRing(TEST_ACTOR_KEYS, 'TEST_ACTOR_KEYS');
export const testDataConverter = () => dataConverterFor(testPayloadRing());

/** The client options of the tests' Temporal environments: as the platform's clients (encrypting, signing). */
export const testClientOptions = () => ({
  dataConverter: testDataConverter(),
  interceptors: { workflow: [actorClaimInterceptor(testActorRing())] },
});
