/** The Samba AD DC the on-prem tests run against; the implementation is shared with `npm run sandbox:ad`. */
export { sambaMissingReason, startSambaDc, SAMBA_APT, type RunningDc } from '../../sandbox/samba';
