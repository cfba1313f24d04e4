// The extension's scenarios (scenarios.mjs) in Firefox.
import { scenarios } from './scenarios.mjs';

scenarios('firefox');
