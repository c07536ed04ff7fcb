/**
 * The one import of graphql-js in our code. graphql 16 ships both a CommonJS build (`main`) and
 * an ES build (`module`); Node (and so graphql-yoga) loads the CommonJS one, while a bundler-style
 * resolver (vitest's) would pick the ES one for our files. Two copies break graphql's instanceof
 * checks ("Cannot use GraphQLObjectType from another module or realm"), so we name the file Node
 * loads and every tool agrees on a single copy.
 */
export * from 'graphql/index.js';
