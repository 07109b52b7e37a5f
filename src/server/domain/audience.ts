import type { Viewer } from '../http/viewer.js';

/** Whether a viewer may see something with this audience (`public` needs the site's public reading on). */
export function canSee(audience: string, viewer: Viewer | null, publicRead: boolean): boolean {
  if (viewer?.roles.includes('admin')) return true;
  if (audience === 'public') return publicRead || viewer !== null;
  if (!viewer) return false;
  if (audience === 'members') return true;
  if (audience.startsWith('chapter:')) return viewer.chapters.includes(audience.slice(8));
  if (audience.startsWith('role:')) {
    const role = audience.slice(5);
    return viewer.roles.includes(role) || (role === 'moderator' && viewer.roles.includes('admin'));
  }
  return false;
}
