// The git questions of a capture's code state, for a face to ask before it loads the core and capture: git answers while they load.
export { askGit, type GitAnswers } from '../platform/git-query';
