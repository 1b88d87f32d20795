/**
 * The meeting screen handed from the meeting page to its components (details, attendees,
 * mediation, minutes, items, follow-ups), so none of them builds its own or calls a command.
 */
import { createContext } from 'svelte';
import type { MeetingScreen } from './meeting-screen.svelte';

export const [getMeetingScreen, setMeetingScreen] = createContext<MeetingScreen>();
