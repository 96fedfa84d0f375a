export default {
	title: "Field Notes on Go",
	url: "https://eleventy.example.org/",
	language: "en",
	description: "Short notes on Go and distributed systems.",
	author: {
		name: "Ada Lindqvist",
		email: "ada@eleventy.example.org",
		url: "https://eleventy.example.org/about/"
	}
}
