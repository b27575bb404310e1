/** Which view the window shows; the header's tabs and the tour both move it. */
export type Tab = 'draw' | 'train' | 'eval';

export class Nav {
  tab = $state<Tab>('draw');
}

export const nav = new Nav();
