"""The words the demo organisation is made of: names, titles, places, OKRs and check-in texts.

Plain data, kept apart from ``generator`` so the generator reads as an algorithm. Every list
here is a list (never a set) so that iteration order, and therefore a seeded generation, is
the same on every run.
"""

from __future__ import annotations

from dataclasses import dataclass

# --- People ------------------------------------------------------------------------------

FIRST_NAMES = [
    # Europe
    "Anna", "Lukas", "Sofia", "Jonas", "Emma", "Elias", "Mia", "Noah", "Clara", "Felix",
    "Lena", "Paul", "Marta", "Jakub", "Zofia", "Piotr", "Ines", "Tomás", "Lucía", "Mateo",
    "Chiara", "Marco", "Giulia", "Luca", "Camille", "Hugo", "Chloé", "Louis", "Freya",
    "Oliver", "Amelia", "Harry", "Isla", "George", "Saoirse", "Cian", "Astrid", "Erik",
    "Ingrid", "Nils", "Eva", "Daan", "Sanne", "Bram", "Katarina", "Milan", "Elif", "Emre",
    # Americas
    "Olivia", "Liam", "Ava", "Ethan", "Harper", "Mason", "Zoe", "Caleb", "Maya", "Isaac",
    "Camila", "Diego", "Valentina", "Santiago", "Gabriela", "Rafael", "Ximena", "Andrés",
    "Jasmine", "Marcus", "Aaliyah", "Darius", "Hannah", "Tyler",
    # Asia and elsewhere
    "Aarav", "Priya", "Rohan", "Ananya", "Vikram", "Kavya", "Arjun", "Meera", "Yuki", "Haruto",
    "Sakura", "Ren", "Mei", "Wei", "Jia", "Hao", "Min-jun", "Seo-yeon", "Ji-ho", "Linh",
    "Minh", "Thao", "Siti", "Arif", "Nur", "Omar", "Layla", "Yusuf", "Amira", "Kofi", "Ama",
    "Chidi", "Ngozi", "Tariq", "Leila",
]  # fmt: skip

LAST_NAMES = [
    "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Wagner", "Becker", "Hoffmann",
    "Kowalski", "Nowak", "Wiśniewska", "García", "Martínez", "López", "Fernández", "Rossi",
    "Russo", "Bianchi", "Romano", "Dubois", "Laurent", "Moreau", "Lefèvre", "Smith", "Jones",
    "Taylor", "Brown", "Williams", "Wilson", "Murphy", "O'Brien", "Kelly", "Andersson",
    "Johansson", "Nilsson", "Larsen", "Hansen", "de Vries", "Jansen", "Bakker", "Visser",
    "Novák", "Horváth", "Yılmaz", "Kaya", "Silva", "Santos", "Oliveira", "Pereira",
    "Johnson", "Davis", "Miller", "Moore", "Jackson", "Thompson", "Harris", "Clark", "Lewis",
    "Walker", "Hernández", "González", "Ramírez", "Torres", "Flores", "Rivera", "Morales",
    "Patel", "Sharma", "Singh", "Gupta", "Iyer", "Reddy", "Nair", "Mehta", "Tanaka",
    "Suzuki", "Sato", "Watanabe", "Nakamura", "Kim", "Lee", "Park", "Choi", "Chen", "Wang",
    "Li", "Zhang", "Liu", "Nguyen", "Tran", "Pham", "Tan", "Lim", "Wong", "Rahman",
    "Hassan", "Haddad", "Khan", "Mensah", "Okafor", "Adeyemi", "Osei", "Abebe",
]  # fmt: skip

# Time zones by region; a manager's reports mostly live where the manager lives.
REGIONS: dict[str, list[str]] = {
    "europe": [
        "Europe/Berlin", "Europe/London", "Europe/Amsterdam", "Europe/Madrid",
        "Europe/Warsaw", "Europe/Stockholm", "Europe/Lisbon", "Europe/Dublin",
    ],
    "americas": [
        "America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles",
        "America/Toronto", "America/Sao_Paulo", "America/Mexico_City",
    ],
    "asia": [
        "Asia/Singapore", "Asia/Tokyo", "Asia/Kolkata", "Asia/Dubai", "Asia/Seoul",
        "Asia/Ho_Chi_Minh", "Australia/Sydney",
    ],
}  # fmt: skip
REGION_WEIGHTS = {"europe": 5, "americas": 3, "asia": 2}


def currency_for_zone(zone: str) -> str:
    """The ISO code a person in ``zone`` would report money in."""
    if zone == "Europe/London":
        return "GBP"
    if zone.startswith("Europe/"):
        return "EUR"
    return "USD"


CURRENCY_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£"}


@dataclass(frozen=True)
class TeamSpec:
    name: str
    share: float  # of the organisation's headcount
    is_sales: bool
    head_title: str
    director_title: str  # manages managers
    manager_title: str  # manages individual contributors
    ic_titles: tuple[str, ...]
    theme: str  # what the team's objectives mostly serve


TEAMS = [
    TeamSpec(
        "Engineering", 0.34, False, "VP Engineering", "Director of Engineering",
        "Engineering Manager",
        ("Software Engineer", "Senior Software Engineer", "Staff Engineer", "Backend Engineer",
         "Frontend Engineer", "Site Reliability Engineer", "QA Engineer", "Data Engineer"),
        "reliability",
    ),
    TeamSpec(
        "Product", 0.13, False, "VP Product", "Director of Product", "Group Product Manager",
        ("Product Manager", "Senior Product Manager", "Product Designer", "UX Researcher",
         "Product Analyst", "Technical Writer"),
        "customers",
    ),
    TeamSpec(
        "Sales", 0.24, True, "VP Sales", "Regional Sales Director", "Sales Manager",
        ("Account Executive", "Senior Account Executive", "Sales Development Representative",
         "Solutions Engineer", "Enterprise Account Executive"),
        "revenue",
    ),
    TeamSpec(
        "Customer Success", 0.18, False, "VP Customer Success",
        "Director of Customer Success", "Customer Success Lead",
        ("Customer Success Manager", "Support Engineer", "Onboarding Specialist",
         "Technical Account Manager", "Support Specialist"),
        "customers",
    ),
    TeamSpec(
        "People", 0.11, False, "Chief People Officer", "Director of People Operations",
        "People Operations Manager",
        ("HR Business Partner", "Recruiter", "People Operations Specialist", "Talent Partner",
         "Learning & Development Specialist"),
        "people",
    ),
]  # fmt: skip

CEO_TITLE = "Chief Executive Officer"
HR_TITLE = "HR Business Partner"

# --- OKRs ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class KRTemplate:
    """A key result to instantiate. ``start`` and ``change`` are ranges; a negative change
    makes a decreasing key result. ``step`` rounds values; ``{start}``, ``{target}`` and
    ``{cur}`` in the title are filled in."""

    title: str
    kind: str  # number | percent | currency | milestone
    start: tuple[float, float] = (0, 0)
    change: tuple[float, float] = (1, 1)
    step: float = 1


@dataclass(frozen=True)
class ObjectiveTemplate:
    title: str
    theme: str
    key_results: tuple[KRTemplate, ...]
    description: str = ""


K = KRTemplate
O = ObjectiveTemplate  # noqa: E741 - a short name keeps the tables below readable

COMPANY_OBJECTIVES = [
    O("Grow annual recurring revenue", "revenue", (
        K("Reach {cur}{target} in new annual recurring revenue", "currency", (0, 0),
          (2_000_000, 4_500_000), 10_000),
        K("Win {target} new enterprise customers", "number", (0, 0), (12, 30)),
        K("Raise net revenue retention from {start}% to {target}%", "percent", (102, 108),
          (3, 7), 0.1),
    ), "Revenue is how we fund everything else; this quarter we grow it without discounting."),
    O("Make customers successful and loyal", "customers", (
        K("Raise NPS from {start} to {target}", "number", (24, 38), (6, 14)),
        K("Reduce gross churn from {start}% to {target}%", "percent", (1.8, 3.2),
          (-1.1, -0.4), 0.1),
        K("Cut median time to first value from {start} to {target} days", "number", (18, 30),
          (-10, -5)),
    )),
    O("Ship a product people can rely on", "reliability", (
        K("Raise uptime from {start}% to {target}%", "percent", (99.5, 99.8), (0.1, 0.15),
          0.01),
        K("Reduce P1 incidents from {start} to {target} per quarter", "number", (6, 11),
          (-5, -3)),
        K("Release the new platform architecture", "milestone"),
    )),
    O("Build a place where great people do their best work", "people", (
        K("Raise engagement score from {start}% to {target}%", "percent", (68, 76), (3, 7),
          0.1),
        K("Cut average time to hire from {start} to {target} days", "number", (40, 55),
          (-15, -8)),
        K("Keep regretted attrition under {target}%", "percent", (6, 8), (-3, -2), 0.1),
    )),
    O("Expand into new markets", "revenue", (
        K("Launch in {target} new countries", "number", (0, 0), (2, 4)),
        K("Sign {target} channel partners", "number", (0, 0), (5, 12)),
        K("Localise the product into Spanish and Japanese", "milestone"),
    )),
]  # fmt: skip

TEAM_OBJECTIVES: dict[str, list[ObjectiveTemplate]] = {
    "Engineering": [
        O("Make the platform fast and dependable", "reliability", (
            K("Cut p95 API latency from {start} ms to {target} ms", "number", (650, 900),
              (-350, -200), 10),
            K("Raise deploy frequency from {start} to {target} per week", "number", (8, 14),
              (6, 12)),
            K("Reduce mean time to recovery from {start} to {target} minutes", "number",
              (70, 110), (-45, -25)),
        )),
        O("Pay down the technical debt that slows us", "reliability", (
            K("Raise test coverage from {start}% to {target}%", "percent", (58, 70), (8, 15),
              0.1),
            K("Retire the legacy billing service", "milestone"),
            K("Reduce flaky tests from {start} to {target}", "number", (40, 80), (-35, -20)),
        )),
        O("Ship the features customers ask for most", "customers", (
            K("Deliver {target} of the top-20 customer requests", "number", (0, 0), (8, 14)),
            K("Launch single sign-on for all plans", "milestone"),
        )),
        O("Grow a strong engineering team", "people", (
            K("Hire {target} engineers", "number", (0, 0), (4, 12)),
            K("Onboard new engineers to first deploy in under {target} days", "number",
              (10, 14), (-6, -3)),
        )),
    ],
    "Product": [
        O("Understand our customers deeply", "customers", (
            K("Run {target} customer interviews", "number", (0, 0), (30, 60)),
            K("Raise feature adoption from {start}% to {target}%", "percent", (28, 40),
              (8, 15), 0.1),
        )),
        O("Make onboarding effortless", "customers", (
            K("Raise trial-to-paid conversion from {start}% to {target}%", "percent",
              (11, 15), (3, 6), 0.1),
            K("Cut onboarding steps from {start} to {target}", "number", (12, 16), (-7, -4)),
            K("Launch the in-app guide", "milestone"),
        )),
        O("Open new markets with the product", "revenue", (
            K("Ship the partner API", "milestone"),
            K("Sign up {target} design partners", "number", (0, 0), (6, 12)),
        )),
    ],
    "Sales": [
        O("Beat the new-business number", "revenue", (
            K("Close {cur}{target} in new bookings", "currency", (0, 0), (900_000, 1_800_000),
              10_000),
            K("Raise win rate from {start}% to {target}%", "percent", (19, 25), (3, 7), 0.1),
            K("Build {cur}{target} of qualified pipeline", "currency", (0, 0),
              (3_000_000, 6_000_000), 10_000),
        )),
        O("Grow our biggest accounts", "revenue", (
            K("Expand {target} enterprise accounts", "number", (0, 0), (8, 18)),
            K("Raise average deal size from {cur}{start} to {cur}{target}", "currency",
              (28_000, 36_000), (4_000, 9_000), 500),
        )),
        O("Open new territories", "revenue", (
            K("Hire and ramp {target} new account executives", "number", (0, 0), (3, 8)),
            K("Launch the Nordics territory", "milestone"),
        )),
    ],
    "Customer Success": [
        O("Keep every customer we have", "customers", (
            K("Reduce logo churn from {start}% to {target}%", "percent", (2.5, 4.0),
              (-1.4, -0.6), 0.1),
            K("Run business reviews with {target} top accounts", "number", (0, 0), (25, 60)),
        )),
        O("Answer customers quickly and well", "customers", (
            K("Cut first response time from {start} to {target} hours", "number", (6, 10),
              (-4, -2)),
            K("Raise CSAT from {start}% to {target}%", "percent", (86, 91), (2, 5), 0.1),
            K("Reduce the support backlog from {start} to {target} tickets", "number",
              (120, 220), (-100, -60)),
        )),
        O("Turn customers into advocates", "revenue", (
            K("Collect {target} customer references", "number", (0, 0), (10, 25)),
            K("Publish the customer community", "milestone"),
        )),
    ],
    "People": [
        O("Hire the people we need, well", "people", (
            K("Cut time to hire from {start} to {target} days", "number", (42, 55), (-14, -8)),
            K("Raise offer acceptance from {start}% to {target}%", "percent", (72, 80),
              (5, 10), 0.1),
        )),
        O("Help everyone grow", "people", (
            K("Roll out the new career framework", "milestone"),
            K("Get {target}% of people a development plan", "percent", (35, 55), (25, 40), 1),
            K("Train {target} new managers", "number", (0, 0), (8, 20)),
        )),
        O("Make this a great place to work", "people", (
            K("Raise eNPS from {start} to {target}", "number", (12, 25), (6, 12)),
            K("Run the engagement survey with {target}% participation", "percent", (60, 70),
              (15, 25), 1),
        )),
    ],
}  # fmt: skip

PERSONAL_OBJECTIVES: dict[str, list[ObjectiveTemplate]] = {
    "Engineering": [
        O("Speed up the checkout service", "reliability", (
            K("Cut checkout p95 latency from {start} ms to {target} ms", "number",
              (450, 700), (-250, -120), 10),
            K("Add caching to the pricing lookups", "milestone"),
        )),
        O("Improve on-call health", "reliability", (
            K("Reduce pages per on-call week from {start} to {target}", "number", (14, 25),
              (-10, -6)),
            K("Write runbooks for {target} alerts", "number", (0, 0), (8, 20)),
        )),
        O("Ship the reporting export", "customers", (
            K("Release CSV and XLSX export", "milestone"),
            K("Close {target} export bugs", "number", (0, 0), (6, 15)),
        )),
        O("Raise the quality bar of my area", "reliability", (
            K("Raise coverage of my services from {start}% to {target}%", "percent",
              (50, 65), (10, 20), 0.1),
            K("Fix {target} flaky tests", "number", (0, 0), (5, 15)),
        )),
        O("Migrate my services to the new platform", "reliability", (
            K("Migrate {target} services", "number", (0, 0), (3, 8)),
            K("Decommission the old queue", "milestone"),
        )),
        O("Help the team grow", "people", (
            K("Review {target} pull requests from new joiners", "number", (0, 0), (20, 50)),
            K("Run {target} internal tech talks", "number", (0, 0), (1, 3)),
        )),
    ],
    "Product": [
        O("Validate the next big bet", "customers", (
            K("Interview {target} customers", "number", (0, 0), (10, 25)),
            K("Publish the opportunity assessment", "milestone"),
        )),
        O("Lift adoption of my feature area", "customers", (
            K("Raise weekly active use from {start}% to {target}%", "percent", (20, 35),
              (5, 12), 0.1),
            K("Ship {target} usability improvements", "number", (0, 0), (4, 10)),
        )),
        O("Make design consistent", "customers", (
            K("Move {target} screens to the design system", "number", (0, 0), (10, 30)),
            K("Publish the component guidelines", "milestone"),
        )),
        O("Sharpen the roadmap", "revenue", (
            K("Review the roadmap with {target} key accounts", "number", (0, 0), (5, 12)),
            K("Size every Q+1 initiative", "milestone"),
        )),
    ],
    "Sales": [
        O("Hit my quota", "revenue", (
            K("Close {cur}{target} in new business", "currency", (0, 0), (90_000, 260_000),
              1_000),
            K("Hold {target} discovery meetings", "number", (0, 0), (25, 60)),
        )),
        O("Build a healthy pipeline", "revenue", (
            K("Create {cur}{target} of qualified pipeline", "currency", (0, 0),
              (250_000, 700_000), 5_000),
            K("Keep stale opportunities under {target}", "number", (15, 30), (-12, -6)),
        )),
        O("Win bigger deals", "revenue", (
            K("Raise my average deal size from {cur}{start} to {cur}{target}", "currency",
              (18_000, 30_000), (3_000, 8_000), 500),
            K("Run {target} executive briefings", "number", (0, 0), (3, 8)),
        )),
        O("Master the new product line", "customers", (
            K("Complete the product certification", "milestone"),
            K("Deliver {target} demos of the analytics add-on", "number", (0, 0), (8, 20)),
        )),
    ],
    "Customer Success": [
        O("Protect my book of business", "customers", (
            K("Keep churn in my accounts under {target}%", "percent", (4, 6), (-2.5, -1),
              0.1),
            K("Hold business reviews with {target} accounts", "number", (0, 0), (6, 15)),
        )),
        O("Resolve tickets faster", "customers", (
            K("Cut my median resolution time from {start} to {target} hours", "number",
              (20, 36), (-12, -6)),
            K("Raise my CSAT from {start}% to {target}%", "percent", (85, 92), (2, 5), 0.1),
        )),
        O("Grow my accounts", "revenue", (
            K("Identify {cur}{target} of expansion pipeline", "currency", (0, 0),
              (40_000, 150_000), 1_000),
            K("Turn {target} customers into references", "number", (0, 0), (2, 6)),
        )),
        O("Improve the help centre", "customers", (
            K("Write {target} new help articles", "number", (0, 0), (8, 20)),
            K("Cut repeat tickets from {start}% to {target}%", "percent", (18, 26),
              (-8, -4), 0.1),
        )),
    ],
    "People": [
        O("Fill our open roles", "people", (
            K("Close {target} hires", "number", (0, 0), (4, 10)),
            K("Cut time to hire in my roles from {start} to {target} days", "number",
              (40, 55), (-12, -6)),
        )),
        O("Support managers better", "people", (
            K("Run {target} manager coaching sessions", "number", (0, 0), (10, 25)),
            K("Launch the manager handbook", "milestone"),
        )),
        O("Make onboarding a delight", "people", (
            K("Raise new-joiner satisfaction from {start}% to {target}%", "percent",
              (75, 84), (5, 10), 0.1),
            K("Automate the first-week checklist", "milestone"),
        )),
    ],
}  # fmt: skip

# Private objectives are mostly about one's own development.
DEVELOPMENT_OBJECTIVES = [
    O("Grow into a senior role", "people", (
        K("Lead {target} projects end to end", "number", (0, 0), (1, 3)),
        K("Agree a promotion plan with my manager", "milestone"),
    ), "Only my manager and I need to see this one while we work on it."),
    O("Become a confident presenter", "people", (
        K("Present at {target} all-hands or customer meetings", "number", (0, 0), (2, 5)),
        K("Finish the presentation skills course", "milestone"),
    )),
    O("Earn a professional certification", "people", (
        K("Pass the certification exam", "milestone"),
        K("Study {target} hours", "number", (0, 0), (30, 60)),
    )),
    O("Improve my work-life balance", "people", (
        K("Keep meeting hours under {target} per week", "number", (20, 26), (-10, -6)),
        K("Take {target} days of planned leave", "number", (0, 0), (5, 10)),
    )),
    O("Learn a new language for work", "people", (
        K("Complete {target} language lessons", "number", (0, 0), (20, 40)),
        K("Hold a customer call in Spanish", "milestone"),
    )),
]  # fmt: skip

# --- Check-in texts ---------------------------------------------------------------------

PROGRESS: dict[str, list[str]] = {
    "Leadership": [
        "Board meeting went well; the plan for next year is approved.", "Met three of our "
        "largest customers.", "Closed the hiring plan with every VP.", "Reviewed the "
        "quarter's OKRs with each team.", "Spoke at the industry conference.",
    ],
    "Engineering": [
        "Shipped the retry logic for failed payments.", "Closed out the flaky checkout tests.",
        "Finished the migration of the search indexer.", "Paired with the new joiner on the "
        "billing service.", "Got the latency dashboard into shape.", "Merged the feature "
        "flag cleanup.", "Fixed the memory leak in the worker.", "Wrote the design doc for "
        "the export API.", "Cut the build time by four minutes.", "Released the SSO "
        "settings page to beta customers.",
    ],
    "Product": [
        "Ran five customer interviews on reporting.", "Published the Q+1 opportunity "
        "assessment.", "Tested the new onboarding flow with eight users.", "Finished the "
        "pricing page redesign.", "Aligned with sales on the roadmap themes.", "Wrote specs "
        "for the audit log filters.", "Shared adoption numbers at the product review.",
    ],
    "Sales": [
        "Closed the renewal with Northwind, with a 20% uplift.", "Booked four discovery "
        "calls from the webinar.", "Moved two deals to negotiation.", "Ran the executive "
        "briefing with Contoso.", "Finished territory planning for the quarter.", "Won the "
        "pilot at Fabrikam.", "Updated every open opportunity in the CRM.",
    ],
    "Customer Success": [
        "Held business reviews with three top accounts.", "Cleared the backlog of "
        "escalations.", "Published four help-centre articles.", "Onboarded two new "
        "enterprise customers.", "Turned Globex into a reference customer.", "Ran the "
        "training webinar for admins.",
    ],
    "People": [
        "Closed two engineering hires.", "Ran the manager coaching session.", "Finished "
        "the first draft of the career framework.", "Launched the engagement survey.",
        "Cleaned up the onboarding checklist.", "Held calibration prep with two managers.",
    ],
}  # fmt: skip

PLANS: dict[str, list[str]] = {
    "Leadership": [
        "Prepare the all-hands.", "Review the budget with finance.", "Visit the Singapore "
        "office.", "Interview candidates for the VP Marketing role.",
    ],
    "Engineering": [
        "Finish the rollout of the new cache.", "Start on the export bugs.", "Pair on the "
        "incident follow-ups.", "Prepare the architecture review.", "Write runbooks for the "
        "new alerts.", "Get the migration to 100% of traffic.",
    ],
    "Product": [
        "Synthesise the interview notes.", "Review the specs with engineering.", "Run the "
        "usability test on the new navigation.", "Prepare the quarterly roadmap review.",
    ],
    "Sales": [
        "Chase the signatures on the two late-stage deals.", "Prospect into the Nordics "
        "list.", "Prepare the pricing proposal for Initech.", "Run the pipeline review with "
        "my manager.",
    ],
    "Customer Success": [
        "Follow up on the at-risk renewals.", "Schedule the remaining business reviews.",
        "Draft the health-score playbook.", "Work through the top ten repeat tickets.",
    ],
    "People": [
        "Interview the shortlisted candidates.", "Finalise the manager handbook.", "Prepare "
        "the survey results for leadership.", "Plan next month's onboarding cohort.",
    ],
}  # fmt: skip

PROBLEMS = [
    "Waiting on legal review, which blocks the next step.",
    "Too many meetings this week; little focus time.",
    "A dependency on another team slipped by a week.",
    "Two people out sick, so we were short-handed.",
    "The data in the dashboard does not match finance's numbers yet.",
    "Unclear priorities between the two projects; I need a decision.",
    "The customer keeps changing the scope.",
    "On-call was noisy and ate most of Wednesday.",
    "Still missing access to the analytics warehouse.",
    "The budget approval is taking longer than expected.",
]

UPDATE_NOTES = [
    "On track after a slow start.",
    "Better than expected this week.",
    "Slipped a little; recovering next week.",
    "Numbers checked with finance.",
    "Blocked for part of the week.",
    "Big jump after the release.",
]

MANAGER_COMMENTS = [
    "Great progress — thanks for the clear update.",
    "Let's talk about the blocker in our 1:1.",
    "Thanks for flagging this early; I'll chase the other team.",
    "Nice work. Can you share this at the team meeting?",
    "How can I help with the priorities question?",
    "Good call on the scope; let's keep it small.",
]

PARTNER_COMMENTS = [
    "Nice one! Keep it going.",
    "Happy to pair on that next week.",
    "I had the same problem last month — ping me.",
    "That's a big milestone, congrats!",
]


# --- Reviews: the career ladder, the competency framework and a review template ----------

JOB_LEVELS = ["Associate", "Professional", "Senior", "Lead", "Principal"]

# Each competency with a description of what it looks like at each job level, in the order
# of ``JOB_LEVELS``.
COMPETENCIES: list[tuple[str, str, list[str]]] = [
    (
        "Communication",
        "Shares information clearly and listens well.",
        [
            "Keeps their manager and team informed about their own work.",
            "Writes and speaks clearly to their team and to customers.",
            "Explains complex topics to any audience; runs good meetings.",
            "Aligns several teams through clear writing and presentations.",
            "Shapes how the organisation communicates; is sought out to explain hard things.",
        ],
    ),
    (
        "Ownership",
        "Takes responsibility for outcomes, not just tasks.",
        [
            "Finishes what they start and asks for help early.",
            "Owns a piece of work end to end, including follow-up.",
            "Owns outcomes for a team's area and fixes problems nobody asked them to.",
            "Owns outcomes across teams and makes trade-offs explicit.",
            "Owns company-level outcomes and builds ownership in others.",
        ],
    ),
    (
        "Collaboration",
        "Works with others to reach shared goals.",
        [
            "Helps teammates and is easy to work with.",
            "Works well across roles in their team.",
            "Builds working relationships across teams and resolves friction.",
            "Leads cross-team efforts and brings people to agreement.",
            "Builds a culture of collaboration across the organisation.",
        ],
    ),
]

REVIEW_SCALE = [
    ("Below expectations", "Often missed what the role asks for."),
    ("Partly meets", "Met some of what the role asks for."),
    ("Meets expectations", "Did what the role asks for, reliably."),
    ("Exceeds", "Often went beyond what the role asks for."),
    ("Far exceeds", "Set a new standard for the role."),
]

# --- review answers (``stride.demo.review_cycles``) ---------------------------------------

REVIEW_TEXTS = {
    "self": [
        "Owning the release train end to end and keeping the team unblocked.",
        "Writing things down early: design notes saved us two rewrites this period.",
        "Pairing with newer colleagues; it made onboarding quicker for both of them.",
        "Saying no to scope creep politely and explaining the trade-offs.",
    ],
    "manager": [
        "Keep taking the hard problems first; the team follows your lead there.",
        "Your written updates are the clearest in the group — keep sending them.",
        "Keep mentoring: two people named you as the reason they got up to speed.",
        "Keep raising risks early; it gave us weeks, not days, to react.",
    ],
    "peer": [
        "Always makes time to review my work, and the comments are kind and precise.",
        "Calm in incidents; explains what is going on while fixing it.",
        "Shares context generously — I never feel out of the loop working with them.",
        "Follows through: if they say it will be done Friday, it is done Friday.",
    ],
    "upward": [
        "Protects our focus time and pushes back on last-minute requests.",
        "Gives clear priorities and explains the why behind them.",
        "Our one-to-ones are useful: specific feedback, and follow-up on what I raise.",
        "Backs the team in front of other groups and gives credit by name.",
    ],
}
REVIEW_IMPROVEMENTS = [
    "Delegate more: some decisions wait on you that the team could take.",
    "Share work in progress earlier instead of polishing it alone.",
    "Plan for slack: the last two deadlines were met with long evenings.",
    "Speak up more in cross-team meetings; your view is often the missing one.",
    "Estimate with ranges and say how sure you are.",
]
REVIEW_ACCOMPLISHMENTS = [
    "Shipped the new onboarding flow two weeks early",
    "Cut the p95 latency of the search API by 40%",
    "Led the migration off the old billing provider",
    "Ran the quarterly customer advisory board",
    "Mentored two new hires through their first quarter",
    "Wrote the incident-response playbook now used company-wide",
    "Closed the three largest renewals of the half",
]
REVIEW_NEXT_GOALS = [
    "Lead a cross-team project from proposal to launch",
    "Present the team's work at the all-hands",
    "Get the on-call load under two pages a week",
    "Take over the hiring loop for the team",
    "Finish the data-modelling course and apply it to reporting",
]
REVIEW_GOAL_COMMENTS = [
    "Most key results landed; the one that slipped depended on another team.",
    "Strong finish after a slow first month.",
    "The goals were ambitious on purpose; 70% is a good result here.",
]
REVIEW_COMPETENCY_NOTES = [
    "Clear progress since the last review.",
    "Consistently at this level; ready for more.",
    "Solid, with room to grow in larger groups.",
]
REVIEW_ACKNOWLEDGEMENTS = [
    "Thanks — a fair summary. I'd like to focus on the delegation point next half.",
]
# (step applied to the proposed rating, reason) — calibration's changes with their reasons.
REVIEW_RATING_CHANGES = [
    (1, "Compared with peers at the same level, the scope delivered was above expectations."),
    (-1, "The rating reflected effort more than outcomes; aligned with the rest of the level."),
]
# (demo login, reaction, comment) — HR's reactions before the calibration meeting.
REVIEW_REACTIONS = [
    ("employee@example.com", "agree", ""),
    ("partner@example.com", "question", "Above the level's norm — what sets this apart?"),
    ("peer@example.com", "no_view", ""),
]
# (growth area, actions, due in days from today, status) — employee@'s development plan.
REVIEW_DEVELOPMENT_ITEMS = [
    ("Delegation", "Hand the weekly release to a teammate; review it.", 30, "in_progress"),
    ("Public speaking", "Present the team's quarter at the all-hands.", 75, "not_started"),
    ("System design", "Write the design note for the billing rewrite.", -20, "done"),
]
