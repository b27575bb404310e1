/**
 * The desktop shell's own words (native dialogs and the menu), in the OS language:
 * Korean for a ko locale, else English. The page has its own catalogue.
 */
import type { MenuItemConstructorOptions } from 'electron';

interface MainStrings {
  exportTitle: string;
  importTitle: string;
  startFailed: string;
  menu: Record<'file' | 'quit' | 'edit' | 'view' | 'window' | 'reload' | 'zoomIn' | 'zoomOut' | 'resetZoom' | 'fullscreen' | 'minimize' | 'close', string>;
}

const STRINGS: Record<'en' | 'ko', MainStrings> = {
  en: {
    exportTitle: 'Export model to folder',
    importTitle: 'Import model folder (model.json + weights.bin)',
    startFailed: 'RNN Lens could not start',
    menu: {
      file: 'File',
      quit: 'Quit RNN Lens',
      edit: 'Edit',
      view: 'View',
      window: 'Window',
      reload: 'Reload',
      zoomIn: 'Zoom in',
      zoomOut: 'Zoom out',
      resetZoom: 'Actual size',
      fullscreen: 'Full screen',
      minimize: 'Minimise',
      close: 'Close window',
    },
  },
  ko: {
    exportTitle: '모델을 내보낼 폴더 선택',
    importTitle: '가져올 모델 폴더 선택 (model.json + weights.bin)',
    startFailed: 'RNN Lens를 시작할 수 없습니다',
    menu: {
      file: '파일',
      quit: 'RNN Lens 종료',
      edit: '편집',
      view: '보기',
      window: '창',
      reload: '새로 고침',
      zoomIn: '확대',
      zoomOut: '축소',
      resetZoom: '실제 크기',
      fullscreen: '전체 화면',
      minimize: '최소화',
      close: '창 닫기',
    },
  },
};

/** The strings for an OS locale such as 'ko-KR' or 'en-GB'. */
export function mainStrings(locale: string): MainStrings {
  return locale.toLowerCase().startsWith('ko') ? STRINGS.ko : STRINGS.en;
}

/** The application menu: standard roles with labels in the OS language (edit keeps the OS's own words). */
export function menuTemplate(s: MainStrings): MenuItemConstructorOptions[] {
  const m = s.menu;
  return [
    { label: m.file, submenu: [{ role: 'quit', label: m.quit }] },
    { label: m.edit, role: 'editMenu' },
    {
      label: m.view,
      submenu: [
        { role: 'reload', label: m.reload },
        { type: 'separator' },
        { role: 'zoomIn', label: m.zoomIn },
        { role: 'zoomOut', label: m.zoomOut },
        { role: 'resetZoom', label: m.resetZoom },
        { type: 'separator' },
        { role: 'togglefullscreen', label: m.fullscreen },
      ],
    },
    {
      label: m.window,
      submenu: [
        { role: 'minimize', label: m.minimize },
        { role: 'close', label: m.close },
      ],
    },
  ];
}
