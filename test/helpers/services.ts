/**
 * Tests that need a real local service (PostgreSQL, Samba AD DC, Chromium) call `describeWithService`. When the service is
 * missing the suite is skipped with a message that says what to install; with REQUIRE_SERVICES=1 (as in CI) it fails instead,
 * so a green CI run always means the real service was exercised.
 */
export function describeWithService(
  service: string,
  missingReason: string | undefined,
  title: string,
  body: () => void,
): void {
  if (!missingReason) {
    describe(title, body);
    return;
  }
  if (process.env.REQUIRE_SERVICES === '1') {
    describe(title, () => {
      it(`needs ${service}`, () => {
        throw new Error(`${service} is required (REQUIRE_SERVICES=1) but unavailable: ${missingReason}`);
      });
    });
    return;
  }
  console.warn(`Skipping "${title}": ${service} unavailable: ${missingReason}`);
  describe.skip(`${title} [skipped: ${service} unavailable: ${missingReason}]`, body);
}
