"""A generated supply chain over four levels, with long names, for layout tests.

`layered()` writes customers, providers, suppliers and sub-suppliers (40
parties by default); each provider serves a few customers and each of its
services depends on a service of a party one level further, chosen by a seeded
random generator so the chain is tangled (the naive order crosses edges) yet
always the same. Every service lists its users as customers, so the
architecture loads without schema errors.
"""

from __future__ import annotations

import random

KINDS = ("customer", "provider", "supplier", "supplier")
NAMES = (
    "Municipal Shared Service Centre of the Rijnmond Region",
    "Regional Health Insurance Claims Administration Department",
    "Facilities, Catering and Workplace Management Organisation",
    "Cloud Hosting and Managed Infrastructure Services Company",
    "Telecommunications Network Connectivity Provider",
)
SERVICE_NAMES = (
    "Claims application maintenance and second-line support",
    "Production cloud hosting with backup and disaster recovery",
    "Digital workplace: laptops, telephony and collaboration",
    "Wide-area network connectivity between the office locations",
    "Payroll administration",
)


def layered(parties: int = 40, seed: int = 7) -> str:
    """An architecture of ``parties`` parties over four levels (one YAML file)."""
    rng = random.Random(seed)
    counts = [parties // 4 + (1 if index < parties % 4 else 0) for index in range(4)]
    ids: list[list[str]] = [
        [f"l{level}p{index:02}" for index in range(counts[level])] for level in range(4)
    ]
    lines = [
        'usm: "1"',
        "architecture: {id: generated, name: A generated supply chain, domain: public}",
        "profiles:",
    ]
    for level, members in enumerate(ids):
        for index, party in enumerate(members):
            name = f"{NAMES[(level + index) % len(NAMES)]} {index:02}"
            external = ", external: true" if level >= 2 and index % 2 == 0 else ""
            lines.append(f"  - {{id: {party}, kind: {KINDS[level]}, name: '{name}'{external}}}")
    services: dict[str, list[str]] = {}  # party -> its service ids
    for level in range(1, 4):
        for party in ids[level]:
            services[party] = [f"{party}-s{index}" for index in range(1 + rng.randrange(2))]
    users: dict[str, list[str]] = {service: [] for party in services for service in services[party]}
    depends: dict[str, list[str]] = {service: [] for service in users}
    for party in ids[0]:  # every customer is served by one or two providers' services
        for provider in rng.sample(ids[1], 1 + rng.randrange(2)):
            users[rng.choice(services[provider])].append(party)
    for level in (1, 2):
        for party in ids[level]:
            for service in services[party]:
                for supplier in rng.sample(ids[level + 1], 1 + rng.randrange(2)):
                    used = rng.choice(services[supplier])
                    depends[service].append(used)
                    if party not in users[used]:
                        users[used].append(party)
    for level in (2, 3):  # nobody left unused: a spare service serves a provider
        for party in ids[level]:
            for service in services[party]:
                if not users[service]:
                    users[service].append(rng.choice(ids[level - 1]))
    lines.append("services:")
    for party, owned in services.items():
        for index, service in enumerate(owned):
            name = f"{SERVICE_NAMES[(len(party) + index + int(party[-2:])) % len(SERVICE_NAMES)]}"
            lines.append(
                f"  - {{id: {service}, name: '{name} {party[-2:]}{index}', provider: {party}, "
                f"customers: [{', '.join(users[service])}], "
                f"depends_on: [{', '.join(dict.fromkeys(depends[service]))}]}}"
            )
    return "\n".join(lines) + "\n"
