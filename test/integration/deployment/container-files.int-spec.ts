import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

// Issue 16: Docker does not run on these machines, so what can be checked here is: the compose file
// parses with the expected services, and the image runs the built app exactly as `npm start` does.

const ROOT = path.resolve(__dirname, '../../..');

interface Instruction {
  keyword: string;
  args: string;
}

/** Dockerfile instructions per stage (continuation lines joined, comments dropped). */
function dockerfileStages(text: string): Instruction[][] {
  const logical = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  const stages: Instruction[][] = [];
  for (const line of logical) {
    const [keyword, ...rest] = line.split(/\s+/);
    const instruction = { keyword: keyword.toUpperCase(), args: rest.join(' ') };
    if (instruction.keyword === 'FROM') {
      stages.push([]);
    }
    stages.at(-1)?.push(instruction);
  }
  return stages;
}

describe('container files', () => {
  const stages = dockerfileStages(readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8'));
  const runtime = stages.at(-1)!;
  const of = (keyword: string) => runtime.filter((instruction) => instruction.keyword === keyword);

  it('should build in stages and run production dependencies only, as a user other than root, with a health check', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(of('RUN').some((run) => /\bnpm ci\b.*--omit=dev/.test(run.args))).toBe(true);
    const user = of('USER').at(-1)?.args;
    expect(user).toBeDefined();
    expect(['root', '0']).not.toContain(user);
    expect(of('HEALTHCHECK').at(-1)?.args).toMatch(/CMD .*\/ready/);
    expect(of('COPY').some((copy) => copy.args === '--from=build /app/dist ./dist')).toBe(true);
  });

  it('should start the built app the same way npm start does', () => {
    const cmd = JSON.parse(of('CMD').at(-1)!.args) as string[];
    const start = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } })
      .scripts.start;
    // `npm start` sets the environment inline (`NAME=value node ...`); the image sets it with ENV.
    const words = start.split(/\s+/);
    const assignments = words.filter((word) => /^[A-Z_]+=/.test(word));
    expect(cmd).toEqual(words.slice(assignments.length));
    for (const assignment of assignments) {
      expect(of('ENV').some((env) => env.args.split(/\s+/).includes(assignment))).toBe(true);
    }
    // What the command runs exists once built (the test run builds first), and so do the migrations it applies.
    expect(existsSync(path.join(ROOT, cmd.at(-1)!))).toBe(true);
    expect(existsSync(path.join(ROOT, 'prisma/migrations/migration_lock.toml'))).toBe(true);
  });

  it('should keep secrets and local state out of the build context', () => {
    const ignored = readFileSync(path.join(ROOT, '.dockerignore'), 'utf8').split('\n');
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', '.env', 'data', 'dist']));
  });

  it('should describe two service instances on one PostgreSQL and one Redis', () => {
    const compose = parse(readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
      services: Record<
        string,
        {
          build?: string;
          image?: string;
          environment?: Record<string, string>;
          depends_on?: Record<string, { condition: string }>;
          ports?: string[];
          healthcheck?: unknown;
        }
      >;
    };
    expect(Object.keys(compose.services).sort()).toEqual(['postgres', 'redis', 'sms-a', 'sms-b']);
    for (const name of ['sms-a', 'sms-b']) {
      const service = compose.services[name];
      expect(service.build).toBe('.');
      expect(service.environment?.NODE_ENV).toBe('production');
      expect(service.environment?.DATABASE_URL).toMatch(/^postgresql:\/\/bulk_sms:.*@postgres:5432\/bulk_sms$/);
      expect(service.environment?.REDIS_URL).toBe('redis://redis:6379');
      expect(service.environment?.API_KEY).toMatch(/^\$\{API_KEY:\?/);
      expect(service.depends_on).toEqual({
        postgres: { condition: 'service_healthy' },
        redis: { condition: 'service_healthy' },
      });
    }
    expect(compose.services['sms-a'].ports).not.toEqual(compose.services['sms-b'].ports);
    expect(compose.services.postgres.image).toMatch(/^postgres:/);
    expect(compose.services.redis.image).toMatch(/^redis:/);
    expect(compose.services.postgres.healthcheck).toBeDefined();
  });
});
