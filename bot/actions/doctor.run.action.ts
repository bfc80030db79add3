import { z } from 'zod';
import { cards } from '../../cards';
import { doctorReply } from '../presenters/doctor.presenter';
import { defineAction } from './defineAction';

const optionalText = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

/**
 * "Why can't … sign in?" on whois (the person) and on an app in apps (the app: the reply asks for the person, whose input
 * comes back as `user`), and Check again on the doctor's card. Card data is user input: everything is checked again.
 */
export const doctorRun = defineAction({
  verb: 'doctor.run',
  data: z.object({ user: optionalText.pipe(z.string().max(320).optional()), servicePrincipalId: optionalText.pipe(z.guid().optional()) }),
  // App owners may run it on their app, so the service checks the right per app, as the command does.
  permission: 'everyone',
  sideEffect: 'none',
  async run({ services, caller }, { user, servicePrincipalId }) {
    if (user === undefined) {
      const app = servicePrincipalId ? await services.doctor.appNamed(servicePrincipalId) : undefined;
      if (!app) return { message: "Type the partner's email address." };
      return { card: cards.doctorAsk({ servicePrincipalId: app.servicePrincipalId, appName: app.displayName }) };
    }
    return { card: doctorReply(await services.doctor.diagnoseFor(caller, user, servicePrincipalId)).card };
  },
});
