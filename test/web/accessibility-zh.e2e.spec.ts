import { accessibilityWalk } from './support/accessibility-walk.js';

// WCAG 2.1 AA by axe-core over every page state of the demo year, in Chinese (the walk: support/accessibility-walk.ts).
accessibilityWalk('zh-CN');
