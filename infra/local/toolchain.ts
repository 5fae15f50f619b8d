import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserFacingError } from '../../cli/command.js';
import { jarCache, PACKAGE_ROOT } from './paths.js';

/** The java binary: $JAVA_HOME/bin/java when set, else `java` on PATH. Fails with what to install when absent or too old. */
export function requireJava(): string {
  const java = process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
  const probe = spawnSync(java, ['-version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new UserFacingError(
      `Java 17 or newer is needed to run the local Kafka and OpenSearch, and \`${java}\` was not found. ` +
        'Install it (Debian/Ubuntu: apt-get install -y openjdk-17-jre-headless) or set JAVA_HOME.',
    );
  }
  const major = Number(/version "(\d+)/.exec(probe.stderr)?.[1] ?? '0');
  if (major < 17) {
    throw new UserFacingError(`Java ${major} found at \`${java}\`; the local stack needs Java 17 or newer (set JAVA_HOME to one).`);
  }
  return java;
}

function requireMaven(): string {
  const probe = spawnSync('mvn', ['-v'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new UserFacingError(
      'Maven is needed once, to fetch the Kafka and OpenSearch jars from Maven Central, and `mvn` was not found. ' +
        'Install it (Debian/Ubuntu: apt-get install -y maven) or put already-resolved jars in TAGPULSE_JAR_CACHE.',
    );
  }
  return 'mvn';
}

/** A server whose runtime classpath Maven resolves from a POM under infra/local/maven/<name>/. */
export interface JarSet {
  name: string;
  version: string;
}

/**
 * The folder holding every jar of a server's classpath, resolving it with Maven the first time.
 * Resolution goes to a temporary folder that is renamed into place, so an interrupted download never looks complete.
 */
export function resolveJars(set: JarSet): string {
  const target = join(jarCache(), `${set.name}-${set.version}`);
  if (existsSync(target) && readdirSync(target).some((f) => f.endsWith('.jar'))) return target;
  const mvn = requireMaven();
  const staging = `${target}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const pom = join(PACKAGE_ROOT, 'infra', 'local', 'maven', set.name, 'pom.xml');
  const run = spawnSync(
    mvn,
    ['-q', '-B', '-f', pom, 'dependency:copy-dependencies', `-DoutputDirectory=${staging}`],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  );
  if (run.status !== 0) {
    rmSync(staging, { recursive: true, force: true });
    const tail = `${run.stdout}\n${run.stderr}`.trim().split('\n').slice(-5).join(' | ');
    throw new UserFacingError(`Maven could not resolve the ${set.name} ${set.version} jars (is Maven Central reachable?): ${tail}`);
  }
  writeFileSync(join(staging, 'RESOLVED_BY'), `mvn dependency:copy-dependencies -f ${pom}\n`);
  rmSync(target, { recursive: true, force: true });
  renameSync(staging, target);
  return target;
}
