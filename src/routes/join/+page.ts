// The invite link is a newcomer's first screen, often on a weak link: prerendered at build time
// (join.html, the form and its CSS in the HTML), so it shows before any JavaScript arrives and
// hydrates when the app's code has come. The rest of the app stays a client-rendered SPA.
export const ssr = true;
export const prerender = true;
