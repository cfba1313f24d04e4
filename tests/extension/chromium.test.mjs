// The extension's scenarios (scenarios.mjs) in Chromium.
import { scenarios } from './scenarios.mjs';

scenarios('chromium');
