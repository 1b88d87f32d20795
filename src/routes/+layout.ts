// Data lives in the browser: the whole app is a client-rendered SPA.
export const ssr = false;
export const prerender = false;
