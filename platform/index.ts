// The platform's own AWS deployment (DESIGN.md, "AWS" column) is not built yet. Say so plainly
// instead of deploying half of it.
throw new Error(
  "stackfork's AWS platform program is not built yet: run the embedded server with `npm start` (see README, 'What is built').",
);
