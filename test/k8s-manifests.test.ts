// The Kubernetes manifests in k8s/ against the code and the troubleshooting guide: every YAML file parses; the
// offline build of the kustomization (its resources with its namespace and labels; it refuses any kustomization field
// it does not implement) equals `kubectl kustomize` (where kubectl is installed, else skipped) and validates against
// the Kubernetes schemas (kubernetes-models); env names match src/config/env-vars.ts; selectors select something;
// secrets reach only the component that reads them; Valkey needs a password; NetworkPolicies confine every pod;
// every name, label, key, port and path the guide types in a kubectl or redis-cli command exists.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Namespace, Secret, Service } from 'kubernetes-models/v1';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { ENV_VARS, type Component } from '../src/config/env-vars.js';
import { RedisKeys } from '../src/store/redis/keys.js';

type Obj = Record<string, any>;
const DIR = 'k8s/apexalgo-iad';
const IMAGE = 'ghcr.io/botburrow/botburrow-agents:0.1.0';
const NS = 'botburrow-agents';

/** Non-secret variables the coordinator or runners read that the manifests leave unset, and why. */
const UNSET_ON_PURPOSE: Record<string, string> = {
  MAX_DISCOVERY_QUEUE: 'derived from the live exploration-capable runners',
  HTTP_PROXY: 'no proxy on apexalgo-iad (documented in configmap.yaml)',
  HTTPS_PROXY: 'no proxy on apexalgo-iad (documented in configmap.yaml)',
  NO_PROXY: 'no proxy on apexalgo-iad (documented in configmap.yaml)',
  VALKEY_SENTINELS: 'one Valkey without Sentinel on apexalgo-iad (documented in configmap.yaml)',
  VALKEY_SENTINEL_MASTER: 'one Valkey without Sentinel on apexalgo-iad (documented in configmap.yaml)',
  VALKEY_KEY_PREFIX: 'a Valkey of its own: key names exactly as docs/redis-keys.md lists them',
  VALKEY_CLUSTER: 'one Valkey, not a cluster (documented in configmap.yaml)',
  DEV_TRANSCRIPTS: 'dev mode only (botburrow-agents dev): transcripts of the local page',
  DEV_TRANSCRIPT_MAX_CHARS: 'dev mode only (botburrow-agents dev): transcripts of the local page',
  OTEL_EXPORTER_OTLP_ENDPOINT: 'tracing is optional: off unless set (commented in configmap.yaml)',
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'tracing is optional (commented in configmap.yaml)',
  OTEL_EXPORTER_OTLP_PROTOCOL: 'tracing is optional (commented in configmap.yaml)',
  OTEL_SERVICE_NAME: 'defaults by role: botburrow-coordinator / botburrow-runner',
  OTEL_RESOURCE_ATTRIBUTES: 'tracing is optional (commented in configmap.yaml)',
  OTEL_TRACES_SAMPLER: 'tracing is optional (commented in configmap.yaml)',
  OTEL_TRACES_SAMPLER_ARG: 'tracing is optional (commented in configmap.yaml)',
  OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'tracing is optional (commented in configmap.yaml)',
};

/** Variables the manifests set that the config does not read: only there to build another one by $(NAME). */
const INTERPOLATION_ONLY = new Set(['VALKEY_PASSWORD']);
const RUNNER_SECRET = 'botburrow-agents-secrets';
const COORDINATOR_SECRET = 'botburrow-agents-coordinator';
const VALKEY_SECRET = 'botburrow-agents-valkey';
/** Secrets the coordinator must never receive. */
const RUNNER_ONLY_SECRETS = ['ANTHROPIC_API_KEY', 'OPENAI_API_KEY', 'GITHUB_PAT', 'BRAVE_API_KEY'];

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) return yamlFiles(p);
    return /\.ya?ml(\.template)?$/.test(e) ? [p] : [];
  });
}

function docsOf(path: string): Obj[] {
  const docs = parseAllDocuments(readFileSync(path, 'utf8'));
  for (const d of docs)
    if (d.errors.length > 0) throw new Error(`${path}: ${d.errors.map((e) => e.message).join('; ')}`);
  return docs.map((d) => d.toJS() as Obj).filter((d) => d !== null);
}

/** The kustomization fields offlineBuild implements; any other field fails the build test. */
const OFFLINE_FIELDS = ['apiVersion', 'kind', 'namespace', 'labels', 'resources'];
const kustomization = parseYaml(readFileSync(join(DIR, 'kustomization.yaml'), 'utf8')) as Obj;

/**
 * The offline build (what `kubectl kustomize` does with these fields): the kustomization's resource files, with its
 * namespace set on every namespaced object and its `labels` (includeSelectors: false) added to metadata.labels.
 */
function offlineBuild(): Obj[] {
  const k = kustomization;
  const labels = Object.assign({}, ...((k.labels ?? []) as Obj[]).map((l) => l.pairs as Obj)) as Obj;
  return (k.resources as string[]).flatMap((r) =>
    docsOf(join(DIR, r)).map((d) => ({
      ...d,
      metadata: {
        ...d.metadata,
        ...(d.kind === 'Namespace' ? {} : { namespace: k.namespace }),
        labels: { ...d.metadata.labels, ...labels },
      },
    })),
  );
}

function hasKubectl(): boolean {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const built = offlineBuild();
const secretTemplates = docsOf(join(DIR, 'secret.yaml.template'));
const secretNamed = (name: string): Obj => secretTemplates.find((o) => o.metadata.name === name)!;
const secretTemplate = secretNamed(RUNNER_SECRET);
const coordinatorSecret = secretNamed(COORDINATOR_SECRET);
const valkeySecret = secretNamed(VALKEY_SECRET);
const configMap = built.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'botburrow-agents-config')!;
const workloads = built.filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet');
const appContainers = (w: Obj): Obj[] => (w.spec.template.spec.containers as Obj[]).filter((c) => c.image === IMAGE);
const componentOf = (w: Obj): Component | undefined => {
  const args = appContainers(w)[0]?.args as string[] | undefined;
  return args?.[0] === 'coordinator' || args?.[0] === 'runner' ? args[0] : undefined;
};
const matches = (selector: Obj, labels: Obj): boolean => Object.entries(selector).every(([k, v]) => labels?.[k] === v);
const knownNames = new Set(
  ENV_VARS.flatMap((v) => [v.name, ...((v as { aliases?: readonly string[] }).aliases ?? [])]),
);

/** Every variable a container gets: ConfigMap keys, Secret template keys (envFrom), then its own env. */
function envOf(container: Obj): Set<string> {
  const names = new Set<string>((container.env ?? []).map((e: Obj) => e.name as string));
  for (const from of container.envFrom ?? []) {
    if (from.configMapRef?.name === 'botburrow-agents-config') Object.keys(configMap.data).forEach((n) => names.add(n));
    if (from.secretRef) Object.keys(secretNamed(from.secretRef.name).stringData).forEach((n) => names.add(n));
  }
  return names;
}

describe('k8s manifests: files and build', () => {
  it('every YAML file under k8s/ parses', () => {
    const files = yamlFiles('k8s');
    expect(files.length).toBeGreaterThan(8);
    for (const f of files) expect(docsOf(f).length, f).toBeGreaterThan(0);
  });

  it('the offline build implements every field the kustomization uses', () => {
    for (const key of Object.keys(kustomization)) expect(OFFLINE_FIELDS, `kustomization field ${key}`).toContain(key);
    for (const l of kustomization.labels ?? []) {
      expect(l.includeSelectors, 'labels with includeSelectors').toBe(false);
      expect(l.includeTemplates, 'labels with includeTemplates').toBeUndefined();
    }
    for (const r of kustomization.resources as string[]) expect(statSync(join(DIR, r)).isFile(), r).toBe(true);
    const names = built.map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`);
    expect(names).toContain('StatefulSet/botburrow-agents/valkey');
    expect(names).toContain('NetworkPolicy/botburrow-agents/default-deny');
    for (const o of built) if (o.kind !== 'Namespace') expect(o.metadata.namespace).toBe(NS);
  });

  // No kustomize binary is installable on a fresh machine (npm has none; Debian's kubernetes-client 1.20 predates
  // `labels`), so the offline build above is the one every assertion uses, and it refuses kustomization fields it
  // does not implement. This checks it against the real kustomize: required under CI=true (a missing kubectl fails
  // it), reported as skipped elsewhere without kubectl, never passed.
  it.skipIf(!process.env.CI && !hasKubectl())('kubectl kustomize builds exactly the offline build', () => {
    const key = (o: Obj) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
    const byKey = (objs: Obj[]) => Object.fromEntries(objs.map((o) => [key(o), o]));
    const out = execFileSync('kubectl', ['kustomize', DIR], { encoding: 'utf8' });
    const objs = parseAllDocuments(out).map((d) => d.toJS() as Obj);
    expect(Object.keys(byKey(objs)).sort()).toEqual(Object.keys(byKey(built)).sort());
    expect(byKey(objs)).toEqual(byKey(built));
  });

  it('the schema validator rejects a bad manifest (sanity)', () => {
    expect(() =>
      new Deployment({
        metadata: { name: 'x' },
        spec: { replicas: 'two' as any, selector: {}, template: {} },
      }).validate(),
    ).toThrow(/replicas/);
  });

  it('every built object validates against the Kubernetes schemas', () => {
    const models: Record<string, new (o: any) => { validate(): void }> = {
      'v1/Namespace': Namespace,
      'v1/ConfigMap': ConfigMap,
      'v1/Service': Service,
      'v1/Secret': Secret,
      'apps/v1/Deployment': Deployment,
      'apps/v1/StatefulSet': StatefulSet,
      'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
      'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
      'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
    };
    for (const o of [...built, ...secretTemplates]) {
      const Model = models[`${o.apiVersion}/${o.kind}`];
      if (o.kind === 'ServiceMonitor') {
        expect(o.apiVersion).toBe('monitoring.coreos.com/v1');
        expect(o.spec.endpoints.length).toBeGreaterThan(0);
        continue;
      }
      expect(Model, `${o.apiVersion}/${o.kind} has a schema`).toBeDefined();
      expect(() => new Model!(o).validate(), `${o.kind}/${o.metadata.name}`).not.toThrow();
    }
  });

  it('the optional KEDA ScaledObjects target existing Deployments and real queue keys', () => {
    const keys = new RedisKeys();
    const docs = docsOf(join(DIR, 'optional/keda-scaledobject.yaml'));
    const auth = docs.find((d) => d.kind === 'TriggerAuthentication')!;
    expect(auth.spec.secretTargetRef).toContainEqual({
      parameter: 'password',
      name: VALKEY_SECRET,
      key: 'VALKEY_PASSWORD',
    });
    const fromKeda = docs.find((d) => d.kind === 'NetworkPolicy')!;
    expect(fromKeda.spec.podSelector.matchLabels).toEqual({ app: 'valkey' });
    expect(() => new NetworkPolicy(fromKeda as any).validate()).not.toThrow();
    const scaledObjects = docs.filter((d) => d.kind === 'ScaledObject');
    expect(scaledObjects).toHaveLength(3);
    for (const so of scaledObjects) {
      expect(so).toMatchObject({ apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject' });
      expect(workloads.map((w) => w.metadata.name)).toContain(so.spec.scaleTargetRef.name);
      for (const t of so.spec.triggers) {
        expect(t.authenticationRef).toEqual({ name: auth.metadata.name });
        expect(t.metadata.address).toBe('valkey.botburrow-agents.svc.cluster.local:6379');
        expect([keys.queue('high'), keys.queue('normal'), keys.queue('low')]).toContain(t.metadata.listName);
      }
    }
  });
});

describe('k8s manifests: environment', () => {
  it('every env var set for the app is one the config reads', () => {
    const set = new Set([
      ...Object.keys(configMap.data),
      ...Object.keys(secretTemplate.stringData),
      ...Object.keys(coordinatorSecret.stringData),
    ]);
    for (const w of workloads) for (const c of appContainers(w)) for (const e of c.env ?? []) set.add(e.name);
    for (const name of set)
      expect(knownNames.has(name) || INTERPOLATION_ONLY.has(name), `${name} is not in src/config/env-vars.ts`).toBe(
        true,
      );
  });

  it('every required variable is set for its component', () => {
    const apps = workloads.filter((w) => componentOf(w));
    expect(apps.map((w) => w.metadata.name).sort()).toEqual([
      'coordinator',
      'runner-exploration',
      'runner-hybrid',
      'runner-notification',
    ]);
    for (const w of apps) {
      const component = componentOf(w)!;
      const env = envOf(appContainers(w)[0]!);
      for (const v of ENV_VARS) {
        if ((v as { requiredBy?: readonly Component[] }).requiredBy?.includes(component))
          expect(env.has(v.name), `${v.name} for ${w.metadata.name}`).toBe(true);
      }
    }
  });

  it('the ConfigMap carries every non-secret setting, the Secret template every secret', () => {
    const services = (v: { usedBy: readonly Component[] }) =>
      v.usedBy.includes('coordinator') || v.usedBy.includes('runner');
    const perDeployment = new Set(['RUNNER_MODE', 'RUNNER_ID', 'METRICS_PORT', 'VALKEY_URL']);
    for (const v of ENV_VARS.filter(services)) {
      if ((v as { secret?: boolean }).secret) {
        const usedBy = v.usedBy as readonly Component[];
        if (usedBy.includes('runner'))
          expect(Object.keys(secretTemplate.stringData), `${v.name} in ${RUNNER_SECRET}`).toContain(v.name);
        if (usedBy.includes('coordinator'))
          expect(Object.keys(coordinatorSecret.stringData), `${v.name} in ${COORDINATOR_SECRET}`).toContain(v.name);
      } else if (!perDeployment.has(v.name)) {
        expect(
          v.name in configMap.data || v.name in UNSET_ON_PURPOSE,
          `add ${v.name} to configmap.yaml or UNSET_ON_PURPOSE`,
        ).toBe(true);
      }
    }
    for (const w of workloads.filter((x) => componentOf(x) === 'runner')) {
      const env = Object.fromEntries((appContainers(w)[0]!.env as Obj[]).map((e) => [e.name, e.value ?? e.valueFrom]));
      expect(w.metadata.name).toBe(`runner-${env.RUNNER_MODE}`);
      expect(env.RUNNER_ID).toEqual({ fieldRef: { fieldPath: 'metadata.name' } });
    }
    for (const t of secretTemplates)
      for (const value of Object.values(t.stringData as Record<string, string>)) expect(value).toMatch(/^<.*>$/);
  });

  it('runners get longer to terminate than they drain', () => {
    const drainMs = Number(configMap.data.RUNNER_DRAIN_TIMEOUT_MS);
    for (const w of workloads.filter((x) => componentOf(x) === 'runner'))
      expect(w.spec.template.spec.terminationGracePeriodSeconds * 1000).toBeGreaterThan(drainMs + 10_000);
  });
});

describe('k8s manifests: selectors', () => {
  const services = built.filter((o) => o.kind === 'Service');
  const podLabels = workloads.map((w) => w.spec.template.metadata.labels as Obj);

  it('workload selectors match their own pod templates', () => {
    for (const w of workloads)
      expect(matches(w.spec.selector.matchLabels, w.spec.template.metadata.labels), w.metadata.name).toBe(true);
  });

  it('every Service selects pods that expose its target port', () => {
    for (const s of services) {
      const pods = workloads.filter((w) => matches(s.spec.selector, w.spec.template.metadata.labels));
      expect(pods.length, `Service ${s.metadata.name}`).toBeGreaterThan(0);
      for (const p of s.spec.ports) {
        const names = pods.flatMap((w) => (w.spec.template.spec.containers as Obj[]).flatMap((c) => c.ports ?? []));
        expect(names.some((cp: Obj) => cp.name === p.targetPort || cp.containerPort === p.targetPort)).toBe(true);
      }
    }
  });

  it('every ServiceMonitor selects Services with its port; runner pools each have one', () => {
    for (const sm of built.filter((o) => o.kind === 'ServiceMonitor')) {
      const selected = services.filter((s) => matches(sm.spec.selector.matchLabels, s.metadata.labels));
      expect(selected.length, `ServiceMonitor ${sm.metadata.name}`).toBeGreaterThan(0);
      for (const e of sm.spec.endpoints)
        for (const s of selected) expect(s.spec.ports.map((p: Obj) => p.name)).toContain(e.port);
    }
    for (const w of workloads.filter((x) => componentOf(x) === 'runner'))
      expect(
        services.some(
          (s) => matches(s.spec.selector, w.spec.template.metadata.labels) && s.spec.ports[0].port === 9091,
        ),
      ).toBe(true);
  });

  it('HPAs target existing Deployments and the PDB selects the coordinator', () => {
    for (const h of built.filter((o) => o.kind === 'HorizontalPodAutoscaler'))
      expect(workloads.map((w) => `${w.kind}/${w.metadata.name}`)).toContain(
        `${h.spec.scaleTargetRef.kind}/${h.spec.scaleTargetRef.name}`,
      );
    const pdb = built.find((o) => o.kind === 'PodDisruptionBudget')!;
    expect(podLabels.filter((l) => matches(pdb.spec.selector.matchLabels, l))).toHaveLength(1);
    expect(pdb.spec.selector.matchLabels['app.kubernetes.io/name']).toBe('coordinator');
  });

  it('pods run as non-root with a read-only root filesystem', () => {
    for (const w of workloads) {
      expect(w.spec.template.spec.securityContext.runAsNonRoot, w.metadata.name).toBe(true);
      for (const c of [...w.spec.template.spec.containers, ...(w.spec.template.spec.initContainers ?? [])])
        expect(c.securityContext, `${w.metadata.name}/${c.name}`).toMatchObject({
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
        });
    }
  });
});

/** The guide, or (outside this workspace) the guide commands quoted in docs/operations.md. */
const GUIDE_PATH = ['/work/shared/seed/troubleshooting.md', 'docs/operations.md'].find((p) => existsSync(p))!;
const guide = readFileSync(GUIDE_PATH, 'utf8');
const all = (re: RegExp): string[][] => [...guide.matchAll(re)].map((m) => [...m]);

describe(`k8s manifests vs the troubleshooting guide (${GUIDE_PATH})`, () => {
  it('namespaces and label selectors of kubectl commands', () => {
    const namespaces = new Set(all(/ -n ([a-z][\w-]*)/g).map((m) => m[1]));
    expect([...namespaces].filter((n) => n !== 'botburrow-hub')).toEqual([NS]);
    const selectors = all(/-l ([\w./-]+)=([\w-]+)/g);
    expect(selectors.length).toBeGreaterThan(2);
    for (const [, key, value] of selectors)
      expect(
        workloads.some((w) => w.spec.template.metadata.labels[key!] === value),
        `-l ${key}=${value}`,
      ).toBe(true);
  });

  it('deployments, services, pods, ConfigMap, Secret and files it names', () => {
    for (const [, name] of all(/deployment\/([\w-]+)/g))
      expect(
        workloads.some((w) => w.kind === 'Deployment' && w.metadata.name === name),
        name,
      ).toBe(true);
    for (const [, name, local, remote] of all(/svc\/([\w-]+) (\d+):(\d+)/g)) {
      const svc = built.find((o) => o.kind === 'Service' && o.metadata.name === name)!;
      expect(svc, name).toBeDefined();
      expect(local).toBe(remote);
      expect(svc.spec.ports.map((p: Obj) => p.port)).toContain(Number(remote));
    }
    expect(guide).toContain('valkey-0');
    const valkey = workloads.find((w) => w.kind === 'StatefulSet' && w.metadata.name === 'valkey')!;
    expect(valkey.spec.template.metadata.labels.app).toBe('valkey');
    expect(valkey.spec.template.spec.containers[0].ports[0].containerPort).toBe(6379);
    expect(valkey.spec.template.spec.containers[0].args.join(' ')).toContain('--appendonly yes');
    expect(valkey.spec.volumeClaimTemplates.length).toBe(1);
    const svcValkey = built.find((o) => o.kind === 'Service' && o.metadata.name === 'valkey')!;
    expect(svcValkey.spec.ports[0].port).toBe(6379);
    // The guide's ConfigMap and Secret names are the manifests' (each found by that name above, so check it exists).
    expect(guide).toContain('botburrow-agents-config');
    expect(configMap, 'ConfigMap botburrow-agents-config').toBeDefined();
    expect(guide).toContain(RUNNER_SECRET);
    expect(secretTemplates.map((o) => o.metadata.name)).toContain(RUNNER_SECRET);
    for (const key of all(/--from-literal=(\w+)=/g).map((m) => m[1]!))
      expect(Object.keys(secretTemplate.stringData)).toContain(key);
    const resources = (parseYaml(readFileSync(join(DIR, 'kustomization.yaml'), 'utf8')) as Obj).resources as string[];
    for (const [, file] of all(/k8s\/apexalgo-iad\/([\w.-]+\.yaml)/g)) {
      expect(existsSync(join(DIR, file!)), file).toBe(true);
      expect(resources).toContain(file);
    }
  });

  it('redis-cli keys exist in the store key layout', () => {
    const keys = new RedisKeys();
    const layout = [keys.queue('high'), keys.queue('normal'), keys.queue('low'), keys.backoff];
    const used = all(/redis-cli (?:\w+) "([^"]+)"/g).map((m) => m[1]!);
    expect(used.length).toBeGreaterThan(4);
    for (const key of used) {
      // `activation:{id}` in the guide: the store's key for an activation id has that shape.
      if (key.startsWith('activation:{')) expect(key.replace(/\{[^}]*\}/, 'abc'), key).toBe(keys.activation('abc'));
      else expect(layout, key).toContain(key);
    }
  });

  it('env vars, URLs and the definitions path', () => {
    for (const [, name] of all(/printenv (\w+)/g)) expect(knownNames.has(name!), name).toBe(true);
    const valkeyUrls = workloads
      .filter((x) => componentOf(x))
      .map((w) => (appContainers(w)[0]!.env as Obj[]).find((e) => e.name === 'VALKEY_URL')!.value as string);
    expect(new Set(valkeyUrls).size).toBe(1);
    expect(guide).toContain(valkeyUrls[0]!.replace(':$(VALKEY_PASSWORD)@', ''));
    expect(guide).toContain(configMap.data.HUB_URL);
    const path = configMap.data.AGENT_DEFINITIONS_PATH as string;
    expect(guide).toContain(`${path}/agents/my-agent/config.yaml`);
    for (const w of workloads.filter((x) => componentOf(x))) {
      const spec = w.spec.template.spec;
      const gitSync = spec.containers.find((c: Obj) => c.name === 'git-sync');
      const root = gitSync.args.find((a: string) => a.startsWith('--root=')).slice('--root='.length);
      const link = gitSync.args.find((a: string) => a.startsWith('--link=')).slice('--link='.length);
      expect(`${root}/${link}`, w.metadata.name).toBe(path);
      const mount = appContainers(w)[0]!.volumeMounts.find((m: Obj) => path.startsWith(`${m.mountPath}/`));
      expect(mount?.name).toBe(gitSync.volumeMounts.find((m: Obj) => m.mountPath === root).name);
      expect(appContainers(w)[0]!.ports[0].name).toBe('metrics');
    }
    const coordinatorSvc = built.find((o) => o.kind === 'Service' && o.metadata.name === 'coordinator')!;
    expect(coordinatorSvc.spec.ports).toContainEqual(expect.objectContaining({ name: 'metrics', port: 9090 }));
    expect(workloads.find((w) => w.metadata.name === 'coordinator')!.spec.replicas).toBe(2);
  });
});

describe('k8s manifests: secrets, Valkey auth and NetworkPolicies', () => {
  const app = (name: string): Obj => appContainers(workloads.find((w) => w.metadata.name === name)!)[0]!;
  const apps = workloads.filter((w) => componentOf(w));
  const secretRefs = (c: Obj): Obj[] =>
    (c.env ?? []).filter((e: Obj) => e.valueFrom?.secretKeyRef).map((e: Obj) => e.valueFrom.secretKeyRef as Obj);
  /** A LabelSelector (matchLabels and matchExpressions) against a pod's labels. */
  const selects = (sel: Obj, labels: Obj): boolean =>
    matches(sel.matchLabels ?? {}, labels) &&
    ((sel.matchExpressions ?? []) as Obj[]).every((x) => {
      const has = x.key in labels;
      if (x.operator === 'In') return has && x.values.includes(labels[x.key]);
      if (x.operator === 'NotIn') return !has || !x.values.includes(labels[x.key]);
      if (x.operator === 'Exists') return has;
      return !has;
    });
  const policies = built.filter((o) => o.kind === 'NetworkPolicy');
  const pods = workloads.map((w) => ({
    name: w.metadata.name as string,
    labels: w.spec.template.metadata.labels as Obj,
  }));
  const podsOf = (policy: Obj) => pods.filter((p) => selects(policy.spec.podSelector, p.labels)).map((p) => p.name);
  const policy = (name: string): Obj => policies.find((p) => p.metadata.name === name)!;

  it('the coordinator reads only its own secrets: no envFrom of a Secret, no LLM keys, PAT or DB URLs', () => {
    const c = app('coordinator');
    expect((c.envFrom as Obj[]).filter((f) => f.secretRef)).toEqual([]);
    const refs = secretRefs(c);
    expect(refs.map((r) => r.key)).toContain('HUB_API_KEY');
    for (const r of refs) {
      expect([COORDINATOR_SECRET, VALKEY_SECRET]).toContain(r.name);
      expect(RUNNER_ONLY_SECRETS).not.toContain(r.key);
      expect(r.key).not.toMatch(/^POSTGRES_/);
    }
    for (const key of [...RUNNER_ONLY_SECRETS, 'POSTGRES_ANALYTICS_URL'])
      expect(Object.keys(coordinatorSecret.stringData)).not.toContain(key);
    for (const key of Object.keys(coordinatorSecret.stringData))
      expect(ENV_VARS.find((v) => v.name === key)?.usedBy, key).toContain('coordinator');
  });

  it('runners get the runner Secret, never the coordinator one', () => {
    for (const w of apps.filter((x) => componentOf(x) === 'runner')) {
      const c = appContainers(w)[0]!;
      expect((c.envFrom as Obj[]).filter((f) => f.secretRef).map((f) => f.secretRef.name)).toEqual([RUNNER_SECRET]);
      for (const r of secretRefs(c)) expect(r.name, w.metadata.name).toBe(VALKEY_SECRET);
    }
  });

  it('Valkey requires the password of its Secret, with protected mode on and the password off the command line', () => {
    const valkey = workloads.find((w) => w.metadata.name === 'valkey')!.spec.template.spec;
    const c = valkey.containers[0] as Obj;
    const cmd = [...(c.command ?? []), ...(c.args ?? [])].join(' ');
    expect(cmd).not.toMatch(/protected-mode\s+no/);
    expect(cmd).not.toMatch(/--requirepass/);
    expect(cmd).toMatch(/requirepass "%s"\\n' "\$VALKEY_PASSWORD" > (\S+)\n.*exec valkey-server \1 /s);
    const env = Object.fromEntries((c.env as Obj[]).map((e) => [e.name, e.valueFrom?.secretKeyRef]));
    for (const name of ['VALKEY_PASSWORD', 'REDISCLI_AUTH', 'VALKEYCLI_AUTH'])
      expect(env[name], name).toEqual({ name: VALKEY_SECRET, key: 'VALKEY_PASSWORD' });
    expect(Object.keys(valkeySecret.stringData)).toEqual(['VALKEY_PASSWORD']);
    for (const probe of [c.livenessProbe, c.readinessProbe]) expect(probe.exec.command.join(' ')).toMatch(/PONG/);
  });

  it("every component's VALKEY_URL carries the password, defined before it from the Valkey Secret", () => {
    expect(configMap.data.VALKEY_URL).toBeUndefined();
    for (const w of apps) {
      const env = appContainers(w)[0]!.env as Obj[];
      const url = env.findIndex((e) => e.name === 'VALKEY_URL');
      const pass = env.findIndex((e) => e.name === 'VALKEY_PASSWORD');
      expect(pass, w.metadata.name).toBeGreaterThanOrEqual(0);
      expect(pass, w.metadata.name).toBeLessThan(url);
      expect(env[pass]!.valueFrom.secretKeyRef).toEqual({ name: VALKEY_SECRET, key: 'VALKEY_PASSWORD' });
      expect(env[url]!.value).toMatch(
        /^redis:\/\/:\$\(VALKEY_PASSWORD\)@valkey\.botburrow-agents\.svc\.cluster\.local:6379$/,
      );
    }
  });

  it('every pod is default-denied in both directions; nothing admits traffic from everywhere', () => {
    const deny = policy('default-deny');
    expect(deny.spec.podSelector).toEqual({});
    expect(deny.spec.policyTypes.sort()).toEqual(['Egress', 'Ingress']);
    expect(deny.spec.ingress ?? []).toEqual([]);
    expect(deny.spec.egress ?? []).toEqual([]);
    for (const p of policies)
      for (const rule of p.spec.ingress ?? [])
        expect(rule.from?.length, `${p.metadata.name} ingress from`).toBeGreaterThan(0);
  });

  it('Valkey admits only the coordinator and runner pods, on 6379', () => {
    const ingressTo = policies.filter((p) => p.spec.ingress && podsOf(p).includes('valkey'));
    expect(ingressTo.map((p) => p.metadata.name)).toEqual(['valkey']);
    const rules = ingressTo[0]!.spec.ingress as Obj[];
    expect(rules).toHaveLength(1);
    expect(rules[0]!.ports).toEqual([{ protocol: 'TCP', port: 6379 }]);
    for (const from of rules[0]!.from as Obj[]) {
      expect(from.namespaceSelector).toBeUndefined();
      expect(from.ipBlock).toBeUndefined();
      const admitted = pods.filter((p) => selects(from.podSelector, p.labels)).map((p) => p.name);
      expect(admitted.sort()).toEqual(apps.map((w) => w.metadata.name).sort());
    }
  });

  it('the metrics port is open only to namespace monitoring, and only on the app pods', () => {
    const withIngress = policies.filter((p) => p.spec.ingress);
    const m = policy('metrics-from-monitoring');
    expect(podsOf(m).sort()).toEqual(apps.map((w) => w.metadata.name).sort());
    expect(m.spec.ingress).toEqual([
      {
        from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }],
        ports: [{ protocol: 'TCP', port: 'metrics' }],
      },
    ]);
    for (const w of apps) expect(appContainers(w)[0]!.ports.map((p: Obj) => p.name)).toContain('metrics');
    expect(withIngress.map((p) => p.metadata.name).sort()).toEqual(['metrics-from-monitoring', 'valkey']);
  });

  const PRIVATE = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16'];
  for (const component of ['coordinator', 'runner'] as const)
    it(`${component} egress: DNS, Valkey, the Hub, and public addresses without link-local/metadata or private ranges`, () => {
      const egress = policies.filter(
        (p) => p.spec.egress && apps.some((w) => componentOf(w) === component && podsOf(p).includes(w.metadata.name)),
      );
      expect(egress.map((p) => p.metadata.name)).toEqual([`${component}-egress`]);
      for (const w of apps.filter((x) => componentOf(x) === component))
        expect(podsOf(egress[0]!)).toContain(w.metadata.name);
      const rules = egress[0]!.spec.egress as Obj[];
      const dns = rules.find((r) => r.to?.some((t: Obj) => t.podSelector?.matchLabels?.['k8s-app'] === 'kube-dns'))!;
      expect(dns.to[0].namespaceSelector).toEqual({ matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } });
      expect(dns.ports).toEqual([
        { protocol: 'UDP', port: 53 },
        { protocol: 'TCP', port: 53 },
      ]);
      const valkey = rules.find((r) => r.to?.some((t: Obj) => t.podSelector?.matchLabels?.app === 'valkey'))!;
      expect(valkey.ports).toEqual([{ protocol: 'TCP', port: 6379 }]);
      const hubNs = new URL(configMap.data.HUB_URL as string).hostname.split('.')[1];
      expect(
        rules.some((r) =>
          r.to?.some((t: Obj) => t.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'] === hubNs),
        ),
      ).toBe(true);
      for (const r of rules) {
        expect(r.to?.length, 'an egress rule without `to` allows everything').toBeGreaterThan(0);
        for (const t of r.to as Obj[]) {
          if (!t.ipBlock) continue;
          if (t.ipBlock.cidr === '0.0.0.0/0') for (const range of PRIVATE) expect(t.ipBlock.except).toContain(range);
          else expect(t.ipBlock.cidr).toBe('::/0');
          if (t.ipBlock.cidr === '::/0')
            expect(t.ipBlock.except).toEqual(expect.arrayContaining(['fc00::/7', 'fe80::/10']));
        }
      }
      expect(rules.some((r) => r.to.some((t: Obj) => t.ipBlock?.cidr === '0.0.0.0/0'))).toBe(true);
    });
});
