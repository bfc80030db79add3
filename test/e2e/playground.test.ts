import fs from 'node:fs';
import path from 'node:path';
import { describeE2e } from '../helpers/playground';
import { apps } from './scenarios/apps';
import { conversation } from './scenarios/conversation';
import { doctor } from './scenarios/doctor';
import { endStates } from './scenarios/endStates';
import { grantLife } from './scenarios/grantLife';
import { help } from './scenarios/help';
import { invite } from './scenarios/invite';
import { lookup } from './scenarios/lookup';
import { request } from './scenarios/request';
import { whoami } from './scenarios/whoami';

/**
 * The one jest file of the end-to-end scenarios: they all run on a single stack, which costs far more to start than they
 * do to run. A module in scenarios/ is only run when it is listed here, so the check below fails for one that is not.
 */
// grantLife moves the job clock forward for good, so it runs last.
const groups = { apps, conversation, endStates, help, invite, lookup, request, whoami, doctor, grantLife };

it('runs every scenario module in test/e2e/scenarios/', () => {
  const modules = fs
    .readdirSync(path.join(__dirname, 'scenarios'))
    .filter((file) => file.endsWith('.ts'))
    .map((file) => path.basename(file, '.ts'))
    .sort();
  expect(Object.keys(groups).sort()).toEqual(modules);
});

describeE2e('the Teams playground', Object.values(groups));
