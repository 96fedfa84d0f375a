// Place any global data in this file.
// You can import this data from anywhere in your site by using the `import` keyword.

export const SITE_TITLE = 'Field Notes on Go';
export const SITE_DESCRIPTION = 'Short notes on Go and distributed systems.';
