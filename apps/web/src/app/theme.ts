import type { ThemeConfig } from 'antd';

/**
 * Ant Design's tokens, chosen for WCAG 2.1 AA (GB/T 37668): text at least 4.5:1 on its background,
 * UI components at least 3:1. The defaults fail: secondary text #8c8c8c is 3.36:1 on white, links
 * #1677ff 4.1:1, error text #ff4d4f 3.26:1, and the preset tags' text (the *7 shade of each palette
 * on its *1 shade) is as low as 2.75:1 (gold) and 3.37:1 (green).
 *
 * The preset tags' text colours are set in styles.css (the palette's *7 shade is not a token the
 * Tag reads from the theme).
 *
 * Contrast on white (#fff) / the page's grey (#f5f5f5): #595959 7.0 / 6.4; #0958d9 6.2; #cf1322
 * 5.6; #237804 5.6; #ad6800 4.4 on #fffbe6 is too low, hence #874d00 (6.5).
 */
export const theme: ThemeConfig = {
  // Zero-runtime (issue 15): components no longer generate, serialize and hash their CSS while the
  // first page renders (stylis, @emotion/hash and cssinjs's cache were a quarter of its main-thread
  // profile); the rules come from Ant Design's static stylesheet instead (main.tsx, trimmed to the
  // components we ship by apps/web/antd-css.ts). The tokens below still reach that stylesheet: it reads
  // every colour from CSS variables, which ConfigProvider writes at run time for this theme under the
  // class `cssVar.key`. The key is ours so that the defaults the stylesheet carries for antd's own
  // generated keys (.css-var-_R_0_ …) can never match and outrank them.
  zeroRuntime: true,
  cssVar: { key: 'css-var-jixiao' },
  token: {
    colorPrimary: '#b71c1c', // 6.6:1 with white text
    borderRadius: 4,
    colorLink: '#0958d9',
    colorInfo: '#0958d9',
    colorError: '#cf1322',
    colorSuccess: '#237804',
    colorWarning: '#ad4e00',
    colorTextSecondary: '#595959',
    colorTextTertiary: '#595959',
    colorTextDescription: '#595959',
    colorTextPlaceholder: '#6e6e6e', // 5.1:1: placeholders carry hints (“+”, 全部)
    // Input borders are UI components: 3:1 against white (the default #d9d9d9 is 1.4:1).
    colorBorder: '#8c8c8c',
  },
  components: {
    // The dark side menu: unselected items at 8:1 on #001529 (default rgba(255,255,255,0.65) is fine; the group titles are not).
    Menu: { darkItemColor: 'rgba(255,255,255,0.85)', darkGroupTitleColor: 'rgba(255,255,255,0.75)' },
  },
};
