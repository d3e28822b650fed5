// Runs one `actions/github-script` script the way the action does (an async function of
// github, context, core, require), against a fake GitHub kept in a JSON file, so the workflow
// tests can check which comments, issues and outputs a script produces.
//
//   node github_script_fake.js STATE.json SCRIPT.js CONTEXT.json
//
// STATE.json: {pulls, comments, issues, artifacts, branches}; it is rewritten with the changes.
// Outputs go to $GITHUB_OUTPUT (name=value lines); core.setFailed exits 1.
'use strict';
const fs = require('fs');

const [statePath, scriptPath, contextPath] = process.argv.slice(2);
const state = JSON.parse(fs.readFileSync(statePath, 'utf8'));
const context = JSON.parse(fs.readFileSync(contextPath, 'utf8'));
context.issue = { owner: context.repo.owner, repo: context.repo.repo, number: context.issueNumber };
let failed = false;
const ok = (data) => Promise.resolve({ status: 200, data });
const bot = { login: 'github-actions[bot]', type: 'Bot' };
const notFound = (what) => Promise.reject(Object.assign(new Error(`${what}: Not Found`), { status: 404 }));

const github = {
  paginate: async (fn, params) => (await fn(params)).data,
  rest: {
    pulls: {
      get: ({ pull_number }) => {
        const pr = state.pulls.find((p) => p.number === pull_number);
        return pr ? ok(pr) : notFound(`pull ${pull_number}`);
      },
    },
    repos: {
      getBranch: ({ branch }) => ok({ name: branch, commit: { sha: state.branches[branch] } }),
      listPullRequestsAssociatedWithCommit: ({ commit_sha }) =>
        ok(state.pulls.filter((p) => p.head.sha === commit_sha || p.merge_commit_sha === commit_sha)),
    },
    actions: {
      listArtifactsForRepo: ({ name }) => {
        const artifacts = state.artifacts.filter((a) => a.name === name).reverse();
        return ok({ total_count: artifacts.length, artifacts });
      },
    },
    issues: {
      listComments: ({ issue_number }) => ok(state.comments.filter((c) => c.issue_number === issue_number)),
      createComment: ({ issue_number, body }) => {
        const comment = { id: state.comments.length + 1, issue_number, body, user: bot };
        state.comments.push(comment);
        return ok(comment);
      },
      updateComment: ({ comment_id, body }) => {
        const comment = state.comments.find((c) => c.id === comment_id);
        comment.body = body;
        comment.edited = (comment.edited || 0) + 1;
        return ok(comment);
      },
      listForRepo: ({ state: wanted }) => ok(state.issues.filter((i) => i.state === wanted)),
      create: ({ title, body, labels }) => {
        const issue = { number: 1000 + state.issues.length, title, body, labels: labels || [], state: 'open' };
        state.issues.push(issue);
        return ok(issue);
      },
      update: ({ issue_number, ...changes }) => {
        const issue = state.issues.find((i) => i.number === issue_number);
        delete changes.owner;
        delete changes.repo;
        Object.assign(issue, changes);
        return ok(issue);
      },
    },
  },
};

const output = (name, value) => fs.appendFileSync(process.env.GITHUB_OUTPUT, `${name}=${value}\n`);
const core = {
  setOutput: output,
  setFailed: (message) => { failed = true; console.log(`::error::${message}`); },
  warning: (message) => console.log(`::warning::${message}`),
  notice: (message) => console.log(`::notice::${message}`),
  info: (message) => console.log(message),
};

const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor;
const script = new AsyncFunction('github', 'context', 'core', 'require', fs.readFileSync(scriptPath, 'utf8'));
script(github, context, core, require)
  .then(() => {
    fs.writeFileSync(statePath, JSON.stringify(state, null, 1));
    process.exit(failed ? 1 : 0);
  })
  .catch((error) => {
    console.log(`::error::${error.stack || error}`);
    process.exit(1);
  });
