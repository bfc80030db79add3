import fs from 'node:fs';
import path from 'node:path';
import { templates } from '../cards';
import { cardSamples } from '../test/helpers/cardSamples';
import { openCardPage, renderCardPng } from './cardRender';
import { launchChromium } from './chromium';

/**
 * `npm run gallery`: renders every card sample (typical, maximal and hostile data) with the adaptivecards renderer in
 * headless Chromium into docs/cards/*.png and writes docs/cards.md, so reviewers see every card at once.
 */

const ROOT = path.resolve(__dirname, '..');
const OUT_DIR = path.join(ROOT, 'docs', 'cards');

/** What each card is for, in a reviewer's words. A new card without an entry falls back to its render function's TSDoc. */
const PURPOSE: Record<string, string> = {
  help: 'The commands the caller may run, filtered by their role; also the welcome card and the answer to anything not understood.',
  whoami: "Who the bot thinks you are: name, object id, tenant and roles. \"Check my roles again\" re-reads group membership now.",
  notice: 'A short status message (done, check this, problem, information) with the status in words and colour; used for refusals, usage errors and failures with an incident reference.',
  userSummary: 'The `whois` answer: guest or member, where the account came from, invitation state and sign-in facts, most important first.',
  userPicker: 'When a name matches several people: a short list, each with a button that shows that person\'s card; in a conversation ("who do you mean"), a button that picks the person instead, and Cancel.',
  dialogQuestion: 'One question of a conversation (dialogs/): what is known so far, the question, a button per choice (apps, roles, readings of a date) and Cancel; typing the answer does the same as a button.',
  realm: "The `realm` answer: how a partner domain signs in (managed, federated, unmanaged, none), the facts behind the verdict and what is missing.",
  inviteConfirm: 'The invitation form: who is invited, where their sign-in will go, the message and redirect choices, and the buttons to send or cancel.',
  inviteApproval: "Sent to admins when a partner manager's invitation needs approval; each admin sees their own view and the buttons vanish once someone decided.",
  doctor: 'The `doctor` (`why`) answer: one row per link from the account to the app\'s sign-in, each fine, blocking, to check or not applicable, with the fact it rests on and the fix (an existing button, the command to send, or the setting to change), then the verdict on the first red one.',
  doctorAsk: 'The apps card\'s "Why can\'t … sign in?" button: asks for the partner\'s email address, then runs the access doctor on that app.',
  checklist: 'The `signin` answer: the four steps of letting a synced partner sign in with their email, each done or missing with the fact behind it, and the tenanted sign-in address to send them.',
  identityStep: 'One step of keeping one of a person\'s two identities (move the app access, then disable the other): what was done, what was left alone, and the next step\'s button, which is confirmed before it runs.',
  inviteOutcome: 'The result of an invitation or a resend: what happened first, then the facts, then the redemption link to pass on.',
  accessReminder: 'A new message to each approver who has not answered a request after ACCESS_REMINDER_HOURS, and again each as many hours: it points at the one request (Show replaces it with the approval card as it stands), and decides nothing itself.',
};

function tsdocPurpose(card: string): string | undefined {
  const file = path.join(ROOT, 'cards', `${card}.ts`);
  if (!fs.existsSync(file)) return undefined;
  const match = new RegExp(String.raw`/\*\*((?:(?!\*/)[\s\S])*)\*/\s*export function ${card}\b`).exec(fs.readFileSync(file, 'utf8'));
  return match?.[1]
    ?.split('\n')
    .map((line) => line.replace(/^\s*\*\s?/, '').trim())
    .filter(Boolean)
    .join(' ');
}

function verbsOf(node: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(node)) node.forEach((n) => verbsOf(n, found));
  else if (node && typeof node === 'object') {
    const record = node as Record<string, unknown>;
    if (record.type === 'Action.Execute' && typeof record.verb === 'string') found.add(record.verb);
    Object.values(record).forEach((v) => verbsOf(v, found));
  }
  return found;
}

async function main(): Promise<void> {
  fs.rmSync(OUT_DIR, { recursive: true, force: true });
  fs.mkdirSync(OUT_DIR, { recursive: true });
  const browser = await launchChromium();
  const samples = cardSamples();
  const problems: string[] = [];
  const sections: string[] = [];
  try {
    const page = await openCardPage(browser);
    for (const card of Object.keys(templates).sort()) {
      const purpose = PURPOSE[card] ?? tsdocPurpose(card);
      if (!purpose) problems.push(`${card}: no description; add it to PURPOSE in scripts/gallery.ts`);
      const verbs = [...verbsOf(templates[card])];
      const images: string[] = [];
      if (!samples.some((s) => s.card === card)) problems.push(`${card}: no samples in test/helpers/cardSamples.ts`);
      for (const sample of samples.filter((s) => s.card === card)) {
        const name = `${card}-${sample.variant}.png`;
        const rendered = await renderCardPng(page, sample.attachment.content, path.join(OUT_DIR, name));
        for (const p of rendered.problems) problems.push(`${card} (${sample.variant}): ${p}`);
        if (rendered.overflows) problems.push(`${card} (${sample.variant}): content wider than the card`);
        if (rendered.links.length > 0) problems.push(`${card} (${sample.variant}): text became links: ${rendered.links.join(', ')}`);
        images.push(`| ${sample.variant} | ![${card}, ${sample.variant}](cards/${name}) |`);
      }
      sections.push(
        [
          `## ${card}`,
          '',
          purpose ?? '_No description yet._',
          '',
          `Template: [cards/${card}.card.json](../cards/${card}.card.json). Buttons (Action.Execute verbs): ${verbs.length ? verbs.map((v) => `\`${v}\``).join(', ') : 'none'}.`,
          '',
          '| data | rendered |',
          '|---|---|',
          ...(images.length ? images : ['| (none) | _No samples yet: add typical, maximal and hostile data to test/helpers/cardSamples.ts._ |']),
          '',
        ].join('\n'),
      );
    }
  } finally {
    await browser.close();
  }
  const doc = [
    '# Card gallery',
    '',
    'Every Adaptive Card the bot sends, rendered by `npm run gallery` with the `adaptivecards` renderer (the one Teams web and',
    'the playground use) in headless Chromium, at Teams chat width with a Teams-like light theme. Each card is shown with',
    'three data sets from `test/helpers/cardSamples.ts`: **typical**; **maximal** (the longest values the bot allows);',
    '**hostile** (Markdown links, `${...}` template syntax, very long words, right-to-left text and bidi overrides, which must',
    'all show as plain text). Fonts are Liberation Sans instead of Segoe UI, so widths differ slightly from Teams.',
    '',
    'House rules these show: the most important fact first; status in words as well as colour; buttons are verbs; nothing a',
    'user or the directory supplies becomes a link or a template expression. The same samples are rendered by',
    '`test/integration/cards/rendering.test.ts` on every test run (PNGs in `test/artifacts/cards/`), which fails on renderer',
    'warnings, content wider than the card, links made from text, and unescaped `<words>` that Teams would take for HTML',
    'tags and drop (as it once did to every `<email>` in the help card).',
    '',
    '**Buttons.** Every button is `Action.Execute` (Universal Actions, card schema 1.5), the only kind the bot handles: the',
    'card-action router re-parses its data and re-checks the caller\'s permission. There is no `Action.Submit` fallback: every',
    'Teams client the bot supports (desktop, web, mobile) renders Universal Actions, and a Submit fallback would arrive as a',
    'plain message, a second entry point with none of those checks.',
    '',
    ...sections,
  ].join('\n');
  fs.writeFileSync(path.join(ROOT, 'docs', 'cards.md'), doc);
  console.log(`Wrote docs/cards.md and ${fs.readdirSync(OUT_DIR).length} PNGs in docs/cards/.`);
  if (problems.length > 0) {
    console.error(['Problems to look at:', ...problems.map((p) => `  - ${p}`)].join('\n'));
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  console.error('npm run gallery failed:', error instanceof Error ? error.message : error);
  process.exit(1);
});
