#!/usr/bin/env python3
"""Writes N objects of one namespace as one multi-document stream, for the scaling curve.

usage: gen_namespace.py OUT OBJECTS distinct|identical

Each app is six objects: Deployment, Service, PodDisruptionBudget, HorizontalPodAutoscaler,
Ingress and HTTPRoute; every tenth app also has an Argo Rollout and a migration Job.
`distinct`: every app has labels and names of its own. `identical`: every pod template is
labelled `app: web` (selectors add an `instance` label), same image, same ports: the
worst case for label indexes and for rules that pair look-alike workloads (blue-green).
"""
import sys

out, total, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
docs = []
i = 0
while len(docs) < total:
    name = f"app{i}"
    app = "web" if mode == "identical" else name
    labels = f"{{app: {app}, instance: {name}}}"
    selector = f"{{app: {app}, instance: {name}}}"
    docs.append(f"""apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}, namespace: shop}}
spec:
  selector: {{matchLabels: {selector}}}
  template:
    metadata: {{labels: {labels}}}
    spec:
      terminationGracePeriodSeconds: 40
      containers:
      - name: web
        image: ghcr.io/acme/{app}:1.4.{i % 7}
        ports: [{{name: http, containerPort: 8080}}]
        readinessProbe: {{httpGet: {{path: /ready, port: http}}, periodSeconds: 5}}
        livenessProbe: {{httpGet: {{path: /live, port: http}}, failureThreshold: 6}}
        lifecycle: {{preStop: {{sleep: {{seconds: 10}}}}}}
""")
    docs.append(f"""apiVersion: v1
kind: Service
metadata: {{name: {name}, namespace: shop}}
spec:
  selector: {selector}
  ports: [{{name: http, port: 80, targetPort: http}}]
""")
    docs.append(f"""apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {{name: {name}, namespace: shop}}
spec:
  minAvailable: 1
  selector: {{matchLabels: {selector}}}
""")
    docs.append(f"""apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {{name: {name}, namespace: shop}}
spec:
  scaleTargetRef: {{apiVersion: apps/v1, kind: Deployment, name: {name}}}
  minReplicas: 2
  maxReplicas: 10
  metrics:
  - type: Resource
    resource: {{name: cpu, target: {{type: Utilization, averageUtilization: 70}}}}
""")
    docs.append(f"""apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {{name: {name}, namespace: shop}}
spec:
  ingressClassName: traefik
  rules:
  - host: {name}.example.com
    http:
      paths:
      - {{path: /, pathType: Prefix, backend: {{service: {{name: {name}, port: {{number: 80}}}}}}}}
""")
    docs.append(f"""apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {{name: {name}, namespace: shop}}
spec:
  parentRefs: [{{name: public}}]
  rules:
  - backendRefs: [{{name: {name}, port: 80}}]
""")
    if i % 10 == 0:
        docs.append(f"""apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {{name: {name}-r, namespace: shop}}
spec:
  replicas: 3
  selector: {{matchLabels: {{app: {app}, instance: {name}-r}}}}
  template:
    metadata: {{labels: {{app: {app}, instance: {name}-r}}}}
    spec:
      containers:
      - name: web
        image: ghcr.io/acme/{app}:1.4.{i % 7}
        ports: [{{containerPort: 8080}}]
        readinessProbe: {{httpGet: {{path: /ready, port: 8080}}}}
  strategy:
    blueGreen: {{activeService: {name}, previewService: {name}-preview}}
""")
        docs.append(f"""apiVersion: batch/v1
kind: Job
metadata:
  name: {name}-migrate
  namespace: shop
  annotations: {{argocd.argoproj.io/hook: PreSync}}
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      containers: [{{name: migrate, image: "ghcr.io/acme/{app}-migrate:1.4.{i % 7}"}}]
""")
    i += 1
with open(out, "w") as f:
    f.write("---\n".join(docs[:total]))
