import { describe, expect, it } from 'vitest';
import { mainStrings, menuTemplate } from '../../src/main/strings';

describe('desktop shell words', () => {
  it('follow the OS locale: Korean for ko, English otherwise', () => {
    expect(mainStrings('ko-KR').exportTitle).toBe('모델을 내보낼 폴더 선택');
    expect(mainStrings('ko').menu.file).toBe('파일');
    expect(mainStrings('en-GB').exportTitle).toBe('Export model to folder');
    expect(mainStrings('de').menu.file).toBe('File');
  });

  it('label every menu and item in that language', () => {
    const labels = (items: ReturnType<typeof menuTemplate>): string[] =>
      items.flatMap((i) => [...(i.label ? [i.label] : []), ...(Array.isArray(i.submenu) ? labels(i.submenu) : [])]);
    const ko = labels(menuTemplate(mainStrings('ko-KR')));
    expect(ko).toEqual(expect.arrayContaining(['파일', '보기', '창', '확대', 'RNN Lens 종료']));
    expect(ko.filter((l) => /^[A-Za-z ]+$/.test(l))).toEqual([]);
  });
});
