import { routes } from '../../../contract/routes.js';
import type { AppServices, Registrar } from '../../http/types.js';
import { eventView } from '../../store/events.js';
import * as door from './door.js';
import * as h from './handlers.js';
import * as series from './series.js';

/** Events, RSVPs with capacity and waitlist, attendance, calendars, chapter organisers. */
export function install(register: Registrar, { live }: AppServices) {
  // Answers go out with the event's counts: the same for everyone who may see the event.
  live.hydrate(['rsvp.changed'], async (store, rec) => {
    const v = await eventView(store, rec.site, rec.ref, null);
    return (
      v && {
        event: v.id,
        capacity: v.capacity,
        going: v.going,
        taken: v.taken,
        maybe: v.maybe,
        waitlist: v.waitlist,
        placesLeft: v.capacity === null ? null : Math.max(0, v.capacity - v.taken),
      }
    );
  });

  register(routes.listEvents, h.listEvents);
  register(routes.getEvent, h.getEvent);
  register(routes.createEvent, h.createEvent, { site: 'allow' });
  register(routes.updateEvent, h.updateEvent, { site: 'allow' });
  register(routes.cancelEvent, h.cancelEvent, { site: 'allow' });
  register(routes.rsvp, h.rsvp);
  register(routes.acknowledgeRsvp, h.acknowledgeRsvp, { sanctions: 'open' });
  register(routes.attendees, h.attendees);
  register(routes.markAttendance, h.markAttendance);
  register(routes.eventCalendar, h.eventCalendar);
  register(routes.siteCalendar, h.siteCalendar);
  register(routes.memberCalendar, h.memberCalendar);
  register(routes.calendarFeed, h.calendarFeed);
  register(routes.resetCalendarFeed, h.resetCalendarFeed);
  register(routes.revokeCalendarFeed, h.revokeCalendarFeed);
  register(routes.createSeries, series.createSeries, { site: 'allow' });
  register(routes.getSeries, series.getSeries);
  register(routes.cancelSeries, series.cancelSeries, { site: 'allow' });
  register(routes.checkIn, door.checkIn);
  register(routes.undoCheckIn, door.undoCheckIn);
  register(routes.checkIns, door.checkIns);
  register(routes.attendeesCsv, door.attendeesCsv);
  register(routes.chapterOrganisers, h.chapterOrganisers);
  register(routes.addChapterOrganiser, h.addChapterOrganiser, { site: 'allow' });
  register(routes.removeChapterOrganiser, h.removeChapterOrganiser, { site: 'allow' });
}
