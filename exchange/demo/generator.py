"""Realistic, reproducible demo businesses in the import JSON shape.

Pure Python: no database, no web. Every record has the shape that the import and the network
sync API accept (``id``, ``name``, ``isic``, location, reach, size, languages, capacity,
visibility, exclusions and matrix ``cells``), so the CLI can load the output as it is.

The data is not uniform noise. Each business is drawn from an industry archetype that fixes its
plausible ISIC classes, how it is named and described, which departments it runs heavily, what
such firms are characteristically good at and what they typically want to learn. Process levels
follow from that, from the firm's size (bigger firms have more defined processes) and from a
per-firm maturity draw, so a logistics firm is strong in supply chain and a design studio in
design, and the matching engine has real complementary pairs to find.
"""

from __future__ import annotations

import json
import random
import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Any, Literal, NamedTuple, TypeVar

T = TypeVar("T")
Role = Literal["strength", "need", "core", "secondary", "basic", "other"]

SIZE_BANDS: tuple[str, ...] = ("1-9", "10-49", "50-249", "250+")
MARKET_REACHES: tuple[str, ...] = ("local", "regional", "national", "international")

# How many non-zero matrix cells a firm of each size band fills in: small firms know (and bother
# to record) fewer of their processes than larger ones.
_CELL_COUNT_BY_SIZE: dict[str, tuple[int, int]] = {
    "1-9": (10, 18),
    "10-49": (13, 24),
    "50-249": (17, 28),
    "250+": (20, 30),
}
_HEADCOUNT_BY_SIZE: dict[str, tuple[int, int]] = {
    "1-9": (2, 9),
    "10-49": (10, 49),
    "50-249": (50, 249),
    "250+": (250, 1200),
}
_CAPACITY_BY_SIZE: dict[str, tuple[int, int]] = {
    "1-9": (1, 1),
    "10-49": (1, 2),
    "50-249": (2, 3),
    "250+": (3, 5),
}
# Larger firms tend to have written-down, measured processes.
_MATURITY_BY_SIZE: dict[str, float] = {"1-9": -0.35, "10-49": 0.0, "50-249": 0.3, "250+": 0.5}
# Typical level of a process the firm runs, by how central its department is to the firm.
_BASE_LEVEL: dict[Role, float] = {"core": 2.9, "secondary": 2.2, "basic": 1.9, "other": 1.5}
# Which of its processes a firm records: a score of base + uniform(0, spread) per process, the
# highest scores win. Core departments nearly always win; an unrelated department rarely does.
_SELECTION_BASE: dict[Role, float] = {"core": 1.6, "secondary": 1.1, "basic": 0.8, "other": 0.0}
_SELECTION_SPREAD: dict[Role, float] = {"core": 1.6, "secondary": 1.6, "basic": 1.4, "other": 1.2}
# Hosts offer what they are good at; a few also offer a merely "defined" (level 3) process.
_OFFER_PROBABILITY: dict[int, float] = {5: 0.88, 4: 0.65, 3: 0.03}
_MAX_NEEDS = 8
_EXCLUDING_SHARE = 0.04


# ---------------------------------------------------------------------------------------------
# Process taxonomy
# ---------------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def load_process_taxonomy() -> dict[str, Any]:
    """The default process taxonomy shipped in ``exchange/taxonomy/data/processes.json``."""
    text = (
        resources.files("exchange")
        .joinpath("taxonomy", "data", "processes.json")
        .read_text(encoding="utf-8")
    )
    data: dict[str, Any] = json.loads(text)
    return data


@lru_cache(maxsize=1)
def department_processes() -> dict[str, tuple[str, ...]]:
    """Full process keys (``department.process``) per department key, in taxonomy order."""
    return {
        department["key"]: tuple(
            f"{department['key']}.{process['key']}" for process in department["processes"]
        )
        for department in load_process_taxonomy()["departments"]
    }


@lru_cache(maxsize=1)
def process_keys() -> tuple[str, ...]:
    """Every full process key in the taxonomy, in taxonomy order."""
    return tuple(key for keys in department_processes().values() for key in keys)


# ---------------------------------------------------------------------------------------------
# Places, names and languages
# ---------------------------------------------------------------------------------------------


class City(NamedTuple):
    name: str
    region: str
    weight: int
    regional_languages: tuple[str, ...] = ()
    """ISO 639-1 codes that half of the firms in this city also work in."""


@dataclass(frozen=True)
class Country:
    code: str
    name: str
    """As it reads inside a sentence ("across the United Kingdom")."""
    weight: int
    cities: tuple[City, ...]
    languages: tuple[str, ...]
    """ISO 639-1 codes every firm in the country works in."""
    optional_languages: tuple[tuple[str, float], ...]
    """Further languages, each with the share of firms that also work in it."""
    legal_forms: tuple[str, ...]
    surnames: tuple[str, ...]
    brand_roots: tuple[str, ...]


def _words(text: str) -> tuple[str, ...]:
    """Comma-separated names as a tuple, so long name lists stay readable in the source."""
    return tuple(word.strip() for word in text.split(","))


# Regions are the names people use (the first-level subdivision: state, Land, county, nation).
# fmt: off
COUNTRIES: tuple[Country, ...] = (
    Country(
        code="IN", name="India", weight=50,
        cities=(
            City("Pune", "Maharashtra", 6, ("mr",)),
            City("Mumbai", "Maharashtra", 5, ("mr",)),
            City("Delhi", "Delhi", 4),
            City("Bengaluru", "Karnataka", 5, ("kn",)),
            City("Chennai", "Tamil Nadu", 3, ("ta",)),
            City("Hyderabad", "Telangana", 3, ("te", "ur")),
            City("Ahmedabad", "Gujarat", 2, ("gu",)),
            City("Surat", "Gujarat", 1, ("gu",)),
            City("Kolkata", "West Bengal", 2, ("bn",)),
            City("Jaipur", "Rajasthan", 1),
            City("Kochi", "Kerala", 1, ("ml",)),
            City("Coimbatore", "Tamil Nadu", 1, ("ta",)),
        ),
        languages=("en",),
        optional_languages=(("hi", 0.75),),
        legal_forms=("Pvt Ltd", "Pvt Ltd", "LLP"),
        surnames=_words(
            "Mehta, Kulkarni, Iyer, Reddy, Shah, Deshpande, Nair, Banerjee, Rao, Joshi, Patil, "
            "Gupta, Agarwal, Menon, Chatterjee, Bhatt, Sethi, Kapoor, Pillai, Desai"
        ),
        brand_roots=_words(
            "Kavya, Sahyadri, Deccan, Kaveri, Nilgiri, Saffron, Shakti, Tanvi, Aarav, Ganga, "
            "Vayu, Lotus, Indus, Monsoon, Peepal, Arya, Tulsi, Chandan, Aravali, Konkan"
        ),
    ),
    Country(
        code="GB", name="the United Kingdom", weight=11,
        cities=(
            City("London", "England", 5),
            City("Manchester", "England", 3),
            City("Leeds", "England", 2),
            City("Birmingham", "England", 2),
            City("Edinburgh", "Scotland", 2),
            City("Glasgow", "Scotland", 1),
            City("Cardiff", "Wales", 1, ("cy",)),
            City("Belfast", "Northern Ireland", 1),
        ),
        languages=("en",),
        optional_languages=(("fr", 0.08), ("pl", 0.05), ("pa", 0.05), ("ur", 0.05)),
        legal_forms=("Ltd",),
        surnames=_words(
            "Hartley, Ashworth, Pemberton, Clarke, Whitfield, Okafor, Patel, Hughes, Morgan, "
            "Fletcher, Brennan, Sinclair, Davies, Lowe"
        ),
        brand_roots=_words(
            "Thames, Pennine, Kestrel, Bramble, Harbour, Northgate, Foxglove, Albion, Heron, "
            "Oakridge, Wren, Moorland, Tidewater"
        ),
    ),
    Country(
        code="DE", name="Germany", weight=10,
        cities=(
            City("Berlin", "Berlin", 4),
            City("München", "Bayern", 3),
            City("Hamburg", "Hamburg", 3),
            City("Köln", "Nordrhein-Westfalen", 2),
            City("Frankfurt am Main", "Hessen", 2),
            City("Stuttgart", "Baden-Württemberg", 2),
            City("Leipzig", "Sachsen", 1),
        ),
        languages=("de",),
        optional_languages=(("en", 0.7), ("tr", 0.08), ("fr", 0.05)),
        legal_forms=("GmbH", "GmbH", "UG"),
        surnames=_words(
            "Weber, Becker, Hoffmann, Schulz, Krüger, Neumann, Brandt, Vogel, Schröder, Lange, "
            "Keller, Yilmaz, Fischer"
        ),
        brand_roots=_words(
            "Rhein, Alster, Isar, Lindenhof, Nordlicht, Elbe, Falke, Tanne, Spree, Brücke, "
            "Eiche, Hafen"
        ),
    ),
    Country(
        code="KE", name="Kenya", weight=9,
        cities=(
            City("Nairobi", "Nairobi City", 5),
            City("Mombasa", "Mombasa", 2),
            City("Kisumu", "Kisumu", 1),
            City("Nakuru", "Nakuru", 1),
        ),
        languages=("en", "sw"),
        optional_languages=(("fr", 0.03),),
        legal_forms=("Ltd",),
        surnames=_words(
            "Mwangi, Otieno, Kamau, Wanjiru, Odhiambo, Njoroge, Achieng, Kiprop, Mutua, Chebet, "
            "Omondi, Wambui"
        ),
        brand_roots=_words(
            "Savanna, Jabali, Tausi, Baraka, Amani, Kilima, Nyota, Simba, Zuri, Upendo, Mvua, "
            "Pwani"
        ),
    ),
    Country(
        code="US", name="the United States", weight=11,
        cities=(
            City("Austin", "Texas", 2, ("es",)),
            City("Chicago", "Illinois", 2),
            City("Seattle", "Washington", 2),
            City("Atlanta", "Georgia", 2),
            City("Denver", "Colorado", 1),
            City("New York", "New York", 3),
            City("Boston", "Massachusetts", 1),
            City("Los Angeles", "California", 2, ("es",)),
        ),
        languages=("en",),
        optional_languages=(("es", 0.15), ("zh", 0.03)),
        legal_forms=("LLC", "Inc."),
        surnames=_words(
            "Carter, Delgado, Whitman, Brooks, Nguyen, Sullivan, Rivera, Foster, Kowalski, "
            "Reyes, Bennett, Hayes"
        ),
        brand_roots=_words(
            "Cascade, Redwood, Harbor, Prairie, Summit, Lone Star, Keystone, Juniper, Magnolia, "
            "Bayside, Canyon, Frontier"
        ),
    ),
    Country(
        code="BR", name="Brazil", weight=9,
        cities=(
            City("São Paulo", "São Paulo", 5),
            City("Rio de Janeiro", "Rio de Janeiro", 3),
            City("Belo Horizonte", "Minas Gerais", 2),
            City("Curitiba", "Paraná", 2),
            City("Porto Alegre", "Rio Grande do Sul", 1),
            City("Recife", "Pernambuco", 1),
        ),
        languages=("pt",),
        optional_languages=(("en", 0.4), ("es", 0.25)),
        legal_forms=("Ltda",),
        surnames=_words(
            "Almeida, Carvalho, Ribeiro, Souza, Oliveira, Barbosa, Teixeira, Moraes, Azevedo, "
            "Pereira, Lima, Campos"
        ),
        brand_roots=_words(
            "Ipê, Aurora, Serra, Carioca, Jacarandá, Tucano, Brisa, Araucária, Maré, Sabiá, "
            "Cerrado, Guará"
        ),
    ),
)
# fmt: on

# Brand-like words that read well in any of our countries.
_GLOBAL_BRAND_ROOTS: tuple[str, ...] = _words(
    "Bluefin, Northstar, Cedar, Indigo, Copper, Greenleaf, Silverline, Brightpath, Evergreen, "
    "Orbit, Quartz, Keel, Lumen, Meridian, Tandem"
)


# ---------------------------------------------------------------------------------------------
# Industry archetypes
# ---------------------------------------------------------------------------------------------


class Variant(NamedTuple):
    """One way an archetype's firms are registered, named and described."""

    isic: str
    """ISIC Rev. 4 class."""
    suffixes: tuple[str, ...]
    """Name endings that fit the activity ("Freight", "Couriers")."""
    descriptions: tuple[str, ...]
    """One-sentence descriptions; may use {city}, {region} and {country}."""


@dataclass(frozen=True)
class Archetype:
    """A kind of small business: what it is registered as, what it runs, what it does well."""

    key: str
    label: str
    variants: tuple[Variant, ...]
    core: tuple[str, ...]
    """Departments the firm runs heavily."""
    secondary: tuple[str, ...]
    """Departments the firm runs, but not as its main work."""
    strengths: tuple[str, ...]
    """Processes such firms are characteristically good at."""
    typical_needs: tuple[str, ...]
    """Processes such firms typically run weakly and want to learn."""
    reach_weights: tuple[int, int, int, int]
    """Relative weights of local, regional, national, international."""
    size_weights: tuple[int, int, int, int]
    """Relative weights of 1-9, 10-49, 50-249, 250+ employees."""
    weight: int
    """How common the archetype is among generated businesses."""
    name_style: Literal["brand", "surname", "either"] = "either"

    @property
    def isic_classes(self) -> tuple[str, ...]:
        return tuple(variant.isic for variant in self.variants)


# fmt: off
ARCHETYPES: tuple[Archetype, ...] = (
    Archetype(
        key="logistics", label="Logistics and courier",
        variants=(
            Variant("4923", ("Logistics", "Freight", "Transport", "Roadways"), (
                "Road freight and part loads for manufacturers and shops around {city}.",
            )),
            Variant("5210", ("Warehousing", "Logistics Parks"), (
                "Third-party warehousing: storage, pick-and-pack and distribution across "
                "{region}.",
            )),
            Variant("5229", ("Freight Forwarders", "Shipping & Forwarding"), (
                "Freight forwarding and customs clearance for importers and exporters in {city}.",
            )),
            Variant("5320", ("Express", "Couriers"), (
                "Express parcels with live tracking for online sellers across {country}.",
            )),
        ),
        core=("supply_chain", "operations"),
        secondary=("sales", "customer_service", "finance"),
        strengths=(
            "supply_chain.transport_planning", "supply_chain.warehousing",
            "supply_chain.last_mile_delivery", "supply_chain.import_export",
            "operations.resource_scheduling", "operations.operational_kpis",
        ),
        typical_needs=(
            "marketing.lead_generation", "marketing.content_marketing",
            "it.business_intelligence", "hr.training", "sales.tenders_rfps",
        ),
        reach_weights=(1, 4, 4, 1), size_weights=(2, 4, 3, 1), weight=4, name_style="brand",
    ),
    Archetype(
        key="design_studio", label="Design studio",
        variants=(
            Variant("7410", ("Design Studio", "Studio", "Creative", "Design Co."), (
                "Brand identity, packaging and digital product design for growing companies.",
                "A small team of UX and visual designers working with start-ups in {city} "
                "and abroad.",
                "Design studio for apps, websites and brand systems.",
            )),
        ),
        core=("design", "marketing"),
        secondary=("sales", "it", "strategy"),
        strengths=(
            "design.ui_design", "design.interaction_design", "design.graphic_design",
            "design.design_systems", "design.user_research", "marketing.brand",
            "marketing.social_media",
        ),
        typical_needs=(
            "finance.invoicing_collections", "finance.cash_flow", "hr.recruitment",
            "sales.pipeline_management", "administration.contract_management",
        ),
        reach_weights=(2, 2, 3, 3), size_weights=(5, 4, 1, 0), weight=4, name_style="brand",
    ),
    Archetype(
        key="accounting", label="Accounting and tax practice",
        variants=(
            Variant("6920", ("& Associates", "Accountants", "Tax Advisors", "& Co"), (
                "Bookkeeping, payroll, audit and tax filing for small businesses in {city}.",
                "Accounting and tax advisory for owner-managed firms across {region}.",
            )),
        ),
        core=("finance", "administration"),
        secondary=("hr", "customer_service", "it"),
        strengths=(
            "finance.bookkeeping", "finance.tax_compliance", "finance.management_reporting",
            "finance.budgeting", "administration.regulatory_filings",
            "administration.company_secretarial", "hr.payroll_admin",
        ),
        typical_needs=(
            "marketing.content_marketing", "marketing.seo", "it.workflow_automation",
            "sales.prospecting", "marketing.lead_generation",
        ),
        reach_weights=(5, 3, 2, 0), size_weights=(5, 4, 1, 0), weight=3, name_style="surname",
    ),
    Archetype(
        key="software", label="Software and IT services",
        variants=(
            Variant("6201", ("Labs", "Software", "Technologies"), (
                "Custom web and mobile software for mid-sized companies, built in {city}.",
            )),
            Variant("6202", ("Systems", "IT Solutions", "Tech Consulting"), (
                "IT consulting and managed infrastructure for offices across {region}.",
            )),
            Variant("6209", ("IT Services", "Digital"), (
                "Software installation, support and system integration for small firms.",
            )),
            Variant("5820", ("Apps", "Software"), (
                "Builds and sells a subscription app used by small retailers in {country}.",
            )),
            Variant("6311", ("Cloud", "Data Services"), (
                "Hosting, data pipelines and analytics platforms run for clients.",
            )),
        ),
        core=("it", "design"),
        secondary=("sales", "marketing", "customer_service", "hr"),
        strengths=(
            "it.software_development", "it.cloud_infrastructure", "it.cybersecurity",
            "it.workflow_automation", "it.business_intelligence", "design.usability_testing",
            "operations.project_management",
        ),
        typical_needs=(
            "sales.negotiation_closing", "finance.cash_flow", "hr.compensation_benefits",
            "marketing.brand", "sales.partner_channels",
        ),
        reach_weights=(0, 1, 3, 6), size_weights=(3, 4, 2, 1), weight=4, name_style="brand",
    ),
    Archetype(
        key="restaurant", label="Restaurant and catering",
        variants=(
            Variant("5610", ("Kitchen", "Café", "Bistro", "Eatery"), (
                "Neighbourhood restaurant in {city} with a busy lunch trade and weekend brunch.",
                "All-day café and bakery counter with delivery through the usual apps.",
            )),
            Variant("5621", ("Caterers", "Catering"), (
                "Event and office catering for companies around {city}.",
            )),
            Variant("5630", ("Brew House", "Coffee Bar"), (
                "Coffee bar and craft beer taproom in central {city}.",
            )),
        ),
        core=("operations", "customer_service"),
        secondary=("supply_chain", "hr", "marketing", "finance"),
        strengths=(
            "operations.service_delivery", "operations.health_safety",
            "operations.resource_scheduling", "customer_service.feedback_surveys",
            "customer_service.complaint_handling", "supply_chain.inventory_management",
            "supply_chain.procurement",
        ),
        typical_needs=(
            "finance.product_costing", "finance.cash_flow", "hr.recruitment", "hr.onboarding",
            "marketing.email_campaigns", "it.website_ecommerce",
        ),
        reach_weights=(8, 2, 0, 0), size_weights=(4, 5, 1, 0), weight=5,
    ),
    Archetype(
        key="apparel_ecommerce", label="Online fashion shop",
        variants=(
            Variant("4791", ("Wear", "Threads", "Label", "Clothing Co."), (
                "Direct-to-consumer clothing label selling online across {country}.",
                "Sustainable everyday wear, designed in {city} and sold through our own "
                "web shop.",
            )),
        ),
        core=("marketing", "customer_service", "supply_chain"),
        secondary=("it", "design", "finance"),
        strengths=(
            "marketing.paid_advertising", "marketing.social_media", "marketing.email_campaigns",
            "it.website_ecommerce", "supply_chain.returns_management",
            "supply_chain.last_mile_delivery", "customer_service.live_chat_phone",
            "design.visual_media",
        ),
        typical_needs=(
            "supply_chain.demand_planning", "finance.cash_flow", "marketing.seo",
            "strategy.pricing_strategy", "hr.workforce_planning",
        ),
        reach_weights=(0, 2, 6, 2), size_weights=(5, 4, 1, 0), weight=4, name_style="brand",
    ),
    Archetype(
        key="specialty_retail", label="Specialty retail shop",
        variants=(
            Variant("4773", ("Eyewear", "Optics", "Gifts"), (
                "Designer eyewear and eye tests in two stores in {city}.",
            )),
            Variant("4771", ("Boutique", "Fashion House"), (
                "Fashion boutique in central {city} with a loyal local following.",
            )),
            Variant("4759", ("Home Store", "Living"), (
                "Furniture, lighting and homeware store serving customers around {city}.",
            )),
            Variant("4763", ("Sports", "Outdoor"), (
                "Sports and outdoor gear shop with repairs and rentals.",
            )),
            Variant("4761", ("Books", "Stationers"), (
                "Independent bookshop and stationer with school supply contracts in {city}.",
            )),
            Variant("4772", ("Pharmacy", "Chemists"), (
                "Neighbourhood pharmacy with home delivery across {city}.",
            )),
        ),
        core=("customer_service", "marketing", "supply_chain"),
        secondary=("operations", "finance", "it"),
        strengths=(
            "customer_service.feedback_surveys", "customer_service.retention",
            "supply_chain.inventory_management", "marketing.social_media",
            "marketing.email_campaigns", "operations.service_delivery",
        ),
        typical_needs=(
            "marketing.paid_advertising", "it.website_ecommerce", "marketing.seo",
            "finance.budgeting", "strategy.pricing_strategy",
        ),
        reach_weights=(7, 2, 1, 0), size_weights=(6, 3, 1, 0), weight=4,
    ),
    Archetype(
        key="textile_mill", label="Textile and garment maker",
        variants=(
            Variant("1311", ("Spinning Mills", "Yarns"), (
                "Cotton and blended yarn spun for weavers and knitters across {region}.",
            )),
            Variant("1312", ("Textiles", "Weaving Mills", "Fabrics"), (
                "Fabric mill supplying garment exporters and domestic brands.",
            )),
            Variant("1313", ("Dyeing & Finishing", "Process House"), (
                "Dyeing and finishing of cotton fabrics for mills across {region}.",
            )),
            Variant("1392", ("Home Textiles", "Linen"), (
                "Bed linen, towels and curtains made for hotels and retail chains.",
            )),
            Variant("1410", ("Garments", "Apparel Manufacturing"), (
                "Cut-make-trim garment factory near {city} working for European and local "
                "labels.",
            )),
        ),
        core=("production", "supply_chain", "hr"),
        secondary=("operations", "finance", "sales"),
        strengths=(
            "production.production_planning", "production.quality_control",
            "production.preventive_maintenance", "production.process_engineering",
            "hr.payroll_admin", "supply_chain.procurement", "operations.health_safety",
        ),
        typical_needs=(
            "marketing.content_marketing", "marketing.lead_generation",
            "it.business_intelligence", "strategy.sustainability", "hr.employee_engagement",
        ),
        reach_weights=(0, 2, 4, 4), size_weights=(1, 4, 4, 1), weight=3,
    ),
    Archetype(
        key="packaging", label="Packaging manufacturer",
        variants=(
            Variant("1702", ("Packaging", "Cartons", "Corrugators"), (
                "Corrugated boxes and printed cartons for food and e-commerce brands in "
                "{region}.",
            )),
            Variant("2220", ("Plastics", "Polypack"), (
                "Flexible and rigid plastic packaging made to order.",
            )),
            Variant("1709", ("Paper Products",), (
                "Paper bags, labels and tissue products for retailers and restaurants.",
            )),
            Variant("8292", ("Packaging Services", "Co-Packers"), (
                "Contract packing and kitting for consumer-goods companies around {city}.",
            )),
        ),
        core=("production", "supply_chain"),
        secondary=("hr", "sales", "operations", "finance"),
        strengths=(
            "production.lean_manufacturing", "production.quality_control",
            "production.packaging_labelling", "production.workplace_organisation",
            "operations.quality_management", "hr.hr_policies_compliance",
            "supply_chain.inventory_management",
        ),
        typical_needs=(
            "design.packaging_design", "marketing.lead_generation", "sales.account_management",
            "strategy.sustainability", "it.workflow_automation",
        ),
        reach_weights=(1, 4, 4, 1), size_weights=(1, 4, 4, 1), weight=3,
    ),
    Archetype(
        key="staffing", label="Recruitment and staffing agency",
        variants=(
            Variant("7810", ("Careers", "Placements", "Recruiters", "Search"), (
                "Permanent hiring for manufacturers and logistics firms in {region}.",
            )),
            Variant("7820", ("Staffing", "Temps", "Workforce Solutions"), (
                "Temporary staff for warehouses, events and retail peaks around {city}.",
            )),
        ),
        core=("hr", "sales"),
        secondary=("finance", "customer_service", "marketing", "administration"),
        strengths=(
            "hr.recruitment", "hr.onboarding", "hr.payroll_admin", "hr.workforce_planning",
            "hr.hr_policies_compliance", "sales.account_management", "sales.prospecting",
        ),
        typical_needs=(
            "marketing.content_marketing", "marketing.seo", "it.workflow_automation",
            "it.business_intelligence", "finance.cash_flow",
        ),
        reach_weights=(2, 4, 3, 1), size_weights=(3, 4, 2, 1), weight=3,
    ),
    Archetype(
        key="marketing_agency", label="Advertising and digital marketing agency",
        variants=(
            Variant("7310", ("Media", "Digital", "Communications", "Ads", "Growth Partners"), (
                "Performance marketing and social media for consumer brands in {country}.",
                "Full-service agency: campaigns, content and PR for B2B companies in {city}.",
            )),
        ),
        core=("marketing", "design"),
        secondary=("sales", "strategy", "it"),
        strengths=(
            "marketing.paid_advertising", "marketing.seo", "marketing.content_marketing",
            "marketing.social_media", "marketing.marketing_analytics",
            "marketing.email_campaigns", "marketing.public_relations", "design.graphic_design",
        ),
        typical_needs=(
            "finance.invoicing_collections", "hr.recruitment", "hr.performance_reviews",
            "operations.standard_procedures", "finance.product_costing",
        ),
        reach_weights=(2, 3, 3, 2), size_weights=(4, 4, 2, 0), weight=3, name_style="brand",
    ),
    Archetype(
        key="consultancy", label="Management consultancy and market research",
        variants=(
            Variant("7020", ("Advisory", "Consulting", "Partners", "Management Consultants"), (
                "Growth strategy and operations consulting for family-owned businesses.",
            )),
            Variant("7320", ("Market Insights", "Research"), (
                "Market studies and customer research for firms entering {country}.",
            )),
        ),
        core=("strategy", "sales"),
        secondary=("finance", "hr", "marketing"),
        strengths=(
            "strategy.business_planning", "strategy.competitor_analysis",
            "strategy.market_expansion", "strategy.goal_setting", "marketing.market_research",
            "sales.proposals_quotes", "operations.project_management",
        ),
        typical_needs=(
            "it.workflow_automation", "hr.recruitment", "marketing.social_media",
            "finance.invoicing_collections", "administration.document_management",
        ),
        reach_weights=(1, 2, 4, 3), size_weights=(5, 3, 1, 1), weight=3,
    ),
    Archetype(
        key="food_manufacturer", label="Food manufacturer",
        variants=(
            Variant("1071", ("Bakers", "Bakery"), (
                "Bread and cakes baked overnight for cafés and hotels in {city}.",
            )),
            Variant("1073", ("Chocolates", "Confectionery"), (
                "Chocolates and sweets sold through gift shops and online.",
            )),
            Variant("1050", ("Dairy", "Creamery"), (
                "Milk, yoghurt and paneer from farmer cooperatives, sold across {region}.",
            )),
            Variant("1075", ("Foods", "Ready Meals"), (
                "Chilled ready meals for supermarkets and office canteens.",
            )),
            Variant("1079", ("Spices", "Pantry Foods"), (
                "Packaged spices and sauces sold through supermarkets across {country}.",
            )),
        ),
        core=("production", "supply_chain", "operations"),
        secondary=("sales", "marketing", "finance", "hr"),
        strengths=(
            "production.traceability", "production.quality_control", "operations.health_safety",
            "production.packaging_labelling", "supply_chain.demand_planning",
            "supply_chain.supplier_management", "production.production_planning",
        ),
        typical_needs=(
            "marketing.brand", "marketing.social_media", "it.website_ecommerce",
            "sales.partner_channels", "finance.product_costing",
        ),
        reach_weights=(2, 4, 3, 1), size_weights=(2, 4, 3, 1), weight=3,
    ),
    Archetype(
        key="hotel", label="Hotel and guest house",
        variants=(
            Variant("5510", ("Residency", "Inn", "Suites", "Hotel", "Guest House"), (
                "Business hotel in {city} with meeting rooms and a rooftop restaurant.",
                "Family-run guest house popular with travellers visiting {region}.",
            )),
            Variant("5590", ("Hostel", "Stays"), (
                "Hostel and long-stay rooms for students and young professionals in {city}.",
            )),
        ),
        core=("customer_service", "operations"),
        secondary=("marketing", "hr", "finance", "supply_chain", "administration"),
        strengths=(
            "customer_service.feedback_surveys", "customer_service.live_chat_phone",
            "operations.service_delivery", "operations.facilities_maintenance",
            "administration.front_desk", "operations.resource_scheduling", "hr.training",
        ),
        typical_needs=(
            "marketing.seo", "marketing.paid_advertising", "strategy.pricing_strategy",
            "it.business_intelligence", "finance.budgeting",
        ),
        reach_weights=(2, 3, 3, 2), size_weights=(3, 5, 2, 0), weight=3,
    ),
    Archetype(
        key="construction", label="Construction and installation contractor",
        variants=(
            Variant("4100", ("Builders", "Constructions", "Developers"), (
                "Residential and small commercial building projects around {city}.",
            )),
            Variant("4321", ("Electricals", "Power Systems"), (
                "Electrical installation and maintenance for offices and factories in {region}.",
            )),
            Variant("4322", ("Plumbing & HVAC", "Aircon Services"), (
                "Plumbing, heating and air-conditioning installation around {city}.",
            )),
            Variant("4330", ("Interiors", "Fit-outs"), (
                "Office and retail interior fit-outs, design to handover.",
            )),
        ),
        core=("operations", "supply_chain"),
        secondary=("sales", "finance", "hr", "administration"),
        strengths=(
            "operations.project_management", "operations.health_safety",
            "supply_chain.procurement", "sales.tenders_rfps", "operations.resource_scheduling",
            "administration.contract_management",
        ),
        typical_needs=(
            "it.business_intelligence", "marketing.content_marketing", "finance.cash_flow",
            "customer_service.complaint_handling", "hr.training", "marketing.brand",
        ),
        reach_weights=(4, 4, 2, 0), size_weights=(3, 4, 2, 1), weight=4,
    ),
    Archetype(
        key="architecture", label="Architecture, engineering and testing practice",
        variants=(
            Variant("7110", ("Architects", "Engineering Consultants", "Structural Consultants"), (
                "Architecture and structural engineering for housing and schools in {region}.",
            )),
            Variant("7120", ("Testing Labs", "Inspection Services"), (
                "Building surveys, material testing and compliance certificates around {city}.",
            )),
        ),
        core=("design", "operations"),
        secondary=("sales", "strategy", "finance", "administration"),
        strengths=(
            "design.visual_media", "design.graphic_design", "operations.project_management",
            "administration.regulatory_filings", "administration.contract_management",
            "sales.proposals_quotes", "operations.quality_management",
        ),
        typical_needs=(
            "marketing.content_marketing", "marketing.social_media",
            "finance.invoicing_collections", "it.workflow_automation", "hr.recruitment",
        ),
        reach_weights=(3, 4, 2, 1), size_weights=(5, 4, 1, 0), weight=2, name_style="surname",
    ),
    Archetype(
        key="clinic", label="Clinic and health practice",
        variants=(
            Variant("8620", ("Clinic", "Dental Care", "Medical Centre"), (
                "Private practice in {city} with online booking and evening hours.",
            )),
            Variant("8690", ("Physiotherapy", "Diagnostics", "Wellness"), (
                "Physiotherapy and diagnostics centre with home visits around {city}.",
            )),
            Variant("7500", ("Vet Clinic", "Animal Hospital"), (
                "Veterinary clinic for pets, with a small surgery and 24-hour phone line.",
            )),
        ),
        core=("customer_service", "operations", "administration"),
        secondary=("hr", "finance", "it"),
        strengths=(
            "administration.front_desk", "administration.document_management",
            "operations.standard_procedures", "operations.health_safety",
            "it.data_protection", "customer_service.feedback_surveys", "hr.training",
        ),
        typical_needs=(
            "marketing.seo", "marketing.social_media", "marketing.email_campaigns",
            "finance.invoicing_collections", "strategy.business_planning",
        ),
        reach_weights=(7, 3, 0, 0), size_weights=(4, 4, 2, 0), weight=3,
    ),
    Archetype(
        key="education", label="Training and education provider",
        variants=(
            Variant("8549", ("Academy", "Learning", "Skills Institute", "Coaching Centre"), (
                "Evening and weekend courses for working professionals in {city}.",
                "Vocational skills training, in class and online, for learners across "
                "{country}.",
            )),
            Variant("8550", ("Education Services", "Study Advisors"), (
                "Admissions counselling and test preparation for students going abroad.",
            )),
            Variant("8542", ("School of Music", "Arts School"), (
                "Music and art classes for children and adults in {city}.",
            )),
        ),
        core=("customer_service", "marketing", "hr"),
        secondary=("operations", "sales", "it", "design"),
        strengths=(
            "hr.training", "marketing.content_marketing", "customer_service.customer_onboarding",
            "customer_service.knowledge_base", "marketing.social_media", "hr.onboarding",
            "design.visual_media",
        ),
        typical_needs=(
            "finance.cash_flow", "sales.partner_channels", "it.workflow_automation",
            "marketing.paid_advertising", "strategy.market_expansion",
        ),
        reach_weights=(5, 3, 2, 1), size_weights=(5, 4, 1, 0), weight=3,
    ),
    Archetype(
        key="furniture", label="Furniture and joinery maker",
        variants=(
            Variant("3100", ("Furniture", "Woodworks", "Furnishings"), (
                "Solid-wood furniture made to order in our workshop outside {city}.",
            )),
            Variant("1622", ("Joinery", "Carpentry"), (
                "Kitchens, doors and fitted joinery for homes and hotels in {region}.",
            )),
        ),
        core=("production", "design"),
        secondary=("sales", "supply_chain", "customer_service", "finance"),
        strengths=(
            "design.product_design", "production.process_engineering",
            "production.quality_control", "production.workplace_organisation",
            "customer_service.after_sales_service", "sales.proposals_quotes",
        ),
        typical_needs=(
            "it.website_ecommerce", "marketing.paid_advertising", "marketing.content_marketing",
            "supply_chain.demand_planning", "finance.product_costing",
            "production.lean_manufacturing",
        ),
        reach_weights=(3, 4, 2, 1), size_weights=(4, 4, 2, 0), weight=2,
    ),
    Archetype(
        key="wholesale", label="Wholesale distributor",
        variants=(
            Variant("4630", ("Traders", "Food Distributors"), (
                "Food and beverage distributor supplying over a thousand shops across {region}.",
            )),
            Variant("4649", ("Distributors", "Trading Co."), (
                "Household goods wholesaler and importer serving retailers in {region}.",
            )),
            Variant("4659", ("Equipment Supplies", "Machinery Traders"), (
                "Industrial machinery and spares stocked for workshops around {city}.",
            )),
            Variant("4663", ("Building Supplies", "Hardware Traders"), (
                "Building materials, plumbing and hardware supplied to contractors in {city}.",
            )),
            Variant("4641", ("Textile Traders",), (
                "Fabric and garment trading house supplying tailors and boutiques.",
            )),
        ),
        core=("supply_chain", "sales"),
        secondary=("finance", "customer_service", "operations"),
        strengths=(
            "supply_chain.inventory_management", "supply_chain.warehousing",
            "supply_chain.supplier_management", "sales.account_management",
            "sales.partner_channels", "finance.invoicing_collections",
            "supply_chain.transport_planning",
        ),
        typical_needs=(
            "it.website_ecommerce", "marketing.lead_generation", "it.business_intelligence",
            "marketing.email_campaigns", "hr.performance_reviews",
        ),
        reach_weights=(2, 5, 3, 1), size_weights=(3, 4, 2, 1), weight=3,
    ),
    Archetype(
        key="auto_service", label="Vehicle service and parts",
        variants=(
            Variant("4520", ("Auto Care", "Motors", "Garage", "Car Care"), (
                "Multi-brand car service centre in {city} with pick-up and drop.",
            )),
            Variant("4540", ("Two Wheelers", "Bikes"), (
                "Motorcycle and scooter sales, servicing and spares in {city}.",
            )),
            Variant("4530", ("Auto Parts", "Spares"), (
                "Genuine and aftermarket car parts for garages and drivers around {city}.",
            )),
        ),
        core=("customer_service", "operations"),
        secondary=("supply_chain", "sales", "finance", "hr"),
        strengths=(
            "customer_service.after_sales_service", "operations.service_delivery",
            "operations.resource_scheduling", "supply_chain.inventory_management",
            "customer_service.retention", "operations.standard_procedures",
        ),
        typical_needs=(
            "marketing.social_media", "marketing.seo", "it.workflow_automation",
            "finance.budgeting", "hr.training",
        ),
        reach_weights=(8, 2, 0, 0), size_weights=(5, 4, 1, 0), weight=3,
    ),
    Archetype(
        key="travel", label="Travel agency and tour operator",
        variants=(
            Variant("7911", ("Travels", "Holidays", "Journeys"), (
                "Tailor-made holidays and corporate travel booked from {city}.",
            )),
            Variant("7912", ("Tours", "Expeditions", "Safaris"), (
                "Small-group tours and expeditions across {country}.",
            )),
        ),
        core=("sales", "customer_service", "marketing"),
        secondary=("operations", "finance"),
        strengths=(
            "sales.proposals_quotes", "customer_service.live_chat_phone",
            "marketing.social_media", "marketing.content_marketing", "sales.partner_channels",
            "customer_service.feedback_surveys",
        ),
        typical_needs=(
            "it.website_ecommerce", "finance.cash_flow", "marketing.seo",
            "it.workflow_automation", "strategy.risk_management",
        ),
        reach_weights=(1, 2, 4, 3), size_weights=(6, 3, 1, 0), weight=2,
    ),
    Archetype(
        key="metal_fabrication", label="Metal fabrication and engineering workshop",
        variants=(
            Variant("2511", ("Fabricators", "Steel Structures"), (
                "Steel structures, sheds and mezzanines fabricated and erected on site.",
            )),
            Variant("2592", ("Precision Engineering", "CNC Works", "Machining"), (
                "Precision machined parts for automotive and pump makers in {region}.",
            )),
            Variant("2599", ("Engineering Works", "Metal Products"), (
                "Sheet-metal enclosures, brackets and fasteners made to drawing.",
            )),
            Variant("3312", ("Machine Services", "Industrial Repairs"), (
                "Repair and overhaul of pumps, gearboxes and machine tools around {city}.",
            )),
        ),
        core=("production", "operations"),
        secondary=("sales", "supply_chain", "hr", "finance"),
        strengths=(
            "production.process_engineering", "production.quality_control",
            "production.preventive_maintenance", "operations.health_safety",
            "production.production_planning", "sales.tenders_rfps",
            "operations.quality_management",
        ),
        typical_needs=(
            "marketing.content_marketing", "marketing.lead_generation",
            "it.business_intelligence", "hr.recruitment", "finance.product_costing",
        ),
        reach_weights=(2, 4, 3, 1), size_weights=(2, 5, 2, 1), weight=3,
    ),
    Archetype(
        key="events", label="Events and live production",
        variants=(
            Variant("8230", ("Events", "Expos", "Conventions"), (
                "Trade shows, product launches and conferences in {city} and beyond.",
            )),
            Variant("9000", ("Productions", "Live"), (
                "Concerts and corporate shows: staging, sound and production management.",
            )),
        ),
        core=("operations", "sales", "marketing"),
        secondary=("supply_chain", "finance", "customer_service", "design"),
        strengths=(
            "operations.project_management", "supply_chain.procurement",
            "marketing.public_relations", "sales.partner_channels",
            "operations.resource_scheduling", "marketing.social_media", "design.visual_media",
        ),
        typical_needs=(
            "finance.budgeting", "finance.cash_flow", "hr.workforce_planning",
            "operations.standard_procedures", "it.business_intelligence",
        ),
        reach_weights=(3, 4, 2, 1), size_weights=(5, 4, 1, 0), weight=2, name_style="brand",
    ),
    Archetype(
        key="facility_services", label="Facility, cleaning and security services",
        variants=(
            Variant("8121", ("Cleaning Services", "Housekeeping"), (
                "Office cleaning and housekeeping staff for business parks in {city}.",
            )),
            Variant("8110", ("Facility Services", "Facilities Management"), (
                "Integrated facility services for factories and campuses across {region}.",
            )),
            Variant("8130", ("Landscapes", "Gardens"), (
                "Landscaping and garden maintenance for housing societies and offices.",
            )),
            Variant("8010", ("Security Services", "Guarding"), (
                "Trained security guards and patrols for sites around {city}.",
            )),
        ),
        core=("hr", "operations"),
        secondary=("customer_service", "finance", "sales", "administration"),
        strengths=(
            "hr.recruitment", "hr.training", "operations.resource_scheduling",
            "operations.health_safety", "operations.standard_procedures",
            "operations.quality_management", "hr.payroll_admin",
        ),
        typical_needs=(
            "marketing.lead_generation", "marketing.content_marketing", "it.workflow_automation",
            "sales.tenders_rfps", "hr.employee_engagement",
        ),
        reach_weights=(4, 5, 1, 0), size_weights=(3, 4, 2, 1), weight=3,
    ),
    Archetype(
        key="media_production", label="Photo, film and audio production",
        variants=(
            Variant("7420", ("Photography", "Photo Studio"), (
                "Product and catalogue photography for e-commerce sellers.",
            )),
            Variant("5911", ("Films", "Pictures", "Motion"), (
                "Short brand films and corporate video shot in {city}.",
            )),
            Variant("5920", ("Records", "Sound Studio"), (
                "Recording studio producing podcasts, jingles and music releases.",
            )),
        ),
        core=("design", "marketing"),
        secondary=("sales", "operations", "finance"),
        strengths=(
            "design.visual_media", "marketing.content_marketing", "marketing.social_media",
            "design.graphic_design", "operations.project_management", "marketing.brand",
        ),
        typical_needs=(
            "finance.invoicing_collections", "finance.tax_compliance",
            "sales.pipeline_management", "administration.contract_management",
            "hr.recruitment",
        ),
        reach_weights=(3, 3, 3, 1), size_weights=(7, 3, 0, 0), weight=2, name_style="brand",
    ),
    Archetype(
        key="personal_care_maker", label="Cosmetics and herbal products maker",
        variants=(
            Variant("2023", ("Naturals", "Botanicals", "Skincare"), (
                "Natural skincare made in small batches and sold online and in pharmacies.",
            )),
            Variant("2100", ("Herbals", "Life Sciences"), (
                "Herbal remedies and supplements from our own certified production line.",
            )),
        ),
        core=("production", "marketing"),
        secondary=("supply_chain", "operations", "administration", "design"),
        strengths=(
            "marketing.brand", "production.traceability", "production.quality_control",
            "administration.regulatory_filings", "operations.quality_management",
            "design.packaging_design", "marketing.social_media",
        ),
        typical_needs=(
            "sales.partner_channels", "supply_chain.demand_planning", "it.website_ecommerce",
            "finance.product_costing", "supply_chain.import_export",
        ),
        reach_weights=(1, 3, 4, 2), size_weights=(3, 4, 2, 1), weight=2, name_style="brand",
    ),
    Archetype(
        key="contact_centre", label="Contact centre",
        variants=(
            Variant("8220", ("Contact Solutions", "CX Services", "Call Centre"), (
                "Multilingual customer support by phone, chat and e-mail for consumer brands.",
                "Outsourced help desk and order line for retailers across {country}.",
            )),
        ),
        core=("customer_service", "hr", "operations"),
        secondary=("it", "sales", "finance"),
        strengths=(
            "customer_service.ticket_handling", "customer_service.live_chat_phone",
            "customer_service.knowledge_base", "hr.training", "hr.recruitment",
            "operations.resource_scheduling", "operations.operational_kpis",
        ),
        typical_needs=(
            "marketing.lead_generation", "strategy.pricing_strategy",
            "hr.employee_engagement", "it.cybersecurity", "sales.prospecting",
        ),
        reach_weights=(1, 2, 4, 3), size_weights=(1, 4, 4, 1), weight=2, name_style="brand",
    ),
    Archetype(
        key="legal", label="Law firm",
        variants=(
            Variant("6910", ("Law Chambers", "Legal", "Law Partners", "& Partners"), (
                "Commercial and employment law for small and medium businesses in {city}.",
                "Contracts, company law and property transactions across {region}.",
            )),
        ),
        core=("administration",),
        secondary=("finance", "strategy", "it", "customer_service", "sales"),
        strengths=(
            "administration.contract_management", "administration.document_management",
            "administration.company_secretarial", "administration.regulatory_filings",
            "strategy.risk_management", "it.data_protection",
        ),
        typical_needs=(
            "marketing.content_marketing", "marketing.seo", "it.workflow_automation",
            "finance.invoicing_collections", "hr.onboarding",
        ),
        reach_weights=(4, 3, 2, 1), size_weights=(5, 4, 1, 0), weight=2, name_style="surname",
    ),
    Archetype(
        key="agriculture", label="Farm and agri-produce business",
        variants=(
            Variant("0113", ("Farms", "Organics", "Greens"), (
                "Organic vegetables grown outside {city}, delivered weekly to homes and "
                "restaurants.",
            )),
            Variant("0150", ("Agro", "Farmstead"), (
                "Mixed farm outside {city} with dairy cattle, fodder and seasonal vegetables.",
            )),
            Variant("0163", ("Agro Processing", "Harvest Co."), (
                "Sorting, grading and cold storage for farmer groups across {region}.",
            )),
        ),
        core=("production", "supply_chain"),
        secondary=("sales", "finance", "operations"),
        strengths=(
            "production.quality_control", "production.traceability", "supply_chain.procurement",
            "supply_chain.last_mile_delivery", "operations.continuous_improvement",
        ),
        typical_needs=(
            "marketing.brand", "it.website_ecommerce", "finance.bookkeeping", "finance.funding",
            "sales.account_management",
        ),
        reach_weights=(4, 4, 2, 0), size_weights=(5, 3, 1, 0), weight=2, name_style="brand",
    ),
)
# fmt: on


def archetype_for_isic(isic: str) -> Archetype | None:
    """The archetype a generated business with this ISIC class was drawn from, if any."""
    for archetype in ARCHETYPES:
        if isic in archetype.isic_classes:
            return archetype
    return None


# ---------------------------------------------------------------------------------------------
# Evidence notes
# ---------------------------------------------------------------------------------------------

# A note and the inclusive range each of its {placeholders} is drawn from; {city} is filled with
# the firm's city.
_Template = tuple[str, dict[str, tuple[int, int]]]

# fmt: off
_STRENGTH_EVIDENCE: dict[str, tuple[_Template, ...]] = {
    "marketing.paid_advertising": (
        ("{pct}% of new clients come from paid ads", {"pct": (55, 80)}),
        ("Cost per lead down {pct}% in a year of tuned search campaigns", {"pct": (20, 45)}),
    ),
    "marketing.content_marketing": (
        ("{pct}% of qualified leads first found us through an article or video",
         {"pct": (35, 70)}),
        ("{n} articles and videos a month on a published editorial calendar", {"n": (4, 16)}),
    ),
    "marketing.seo": (
        ("Top-three Google ranking for {n} of our 25 target searches", {"n": (8, 20)}),
    ),
    "marketing.email_campaigns": (
        ("Newsletter to {n} subscribers with a {pct}% open rate",
         {"n": (1500, 20000), "pct": (32, 52)}),
    ),
    "marketing.lead_generation": (
        ("About {n} inbound enquiries a month, each tracked to its first touch",
         {"n": (20, 120)}),
    ),
    "marketing.social_media": (
        ("{n} followers grown without paid promotion; posting {m} times a week",
         {"n": (4000, 60000), "m": (3, 10)}),
    ),
    "marketing.brand": (
        ("Brand guidelines used by every supplier and agency since {year}",
         {"year": (2014, 2022)}),
    ),
    "marketing.market_research": (
        ("{n} customer interviews a year feed our product decisions", {"n": (20, 80)}),
    ),
    "marketing.marketing_analytics": (
        ("Every lead attributed to a channel; monthly return-on-spend report since {year}",
         {"year": (2016, 2023)}),
    ),
    "marketing.public_relations": (
        ("Featured in {n} trade and local press stories last year", {"n": (6, 30)}),
    ),
    "sales.proposals_quotes": (("Quotes out within {n} hours of the first call", {"n": (4, 24)}),),
    "sales.negotiation_closing": (
        ("Average discount held under {pct}% while closing {n} deals a quarter",
         {"pct": (3, 8), "n": (10, 40)}),
    ),
    "sales.account_management": (
        ("Top {n} accounts reviewed quarterly; {pct}% renewed last year",
         {"n": (10, 30), "pct": (88, 98)}),
    ),
    "sales.tenders_rfps": (
        ("Win rate of {pct}% on {n} tenders bid last year", {"pct": (25, 45), "n": (12, 40)}),
    ),
    "sales.partner_channels": (
        ("{n} active resellers bring {pct}% of revenue", {"n": (8, 60), "pct": (20, 50)}),
    ),
    "sales.prospecting": (
        ("{n} qualified first meetings a month from outbound", {"n": (10, 40)}),
    ),
    "hr.recruitment": (
        ("Median time-to-hire of {n} days across {m} hires last year",
         {"n": (6, 30), "m": (15, 200)}),
    ),
    "hr.onboarding": (("{pct}% of new hires still with us after a year", {"pct": (85, 97)}),),
    "hr.training": (
        ("Every employee gets {n} training days a year, tracked against a skills matrix",
         {"n": (4, 12)}),
    ),
    "hr.payroll_admin": (
        ("{n} payslips a month with no late or corrected payroll in {m} years",
         {"n": (20, 900), "m": (2, 6)}),
    ),
    "hr.workforce_planning": (
        ("Pool of {n} pre-vetted freelancers who can start within 48 hours", {"n": (80, 600)}),
    ),
    "hr.hr_policies_compliance": (
        ("Contracts and handbook reviewed by counsel yearly; no labour disputes since {year}",
         {"year": (2012, 2020)}),
    ),
    "operations.project_management": (
        ("{pct}% of projects delivered on time and within budget last year", {"pct": (85, 97)}),
    ),
    "operations.health_safety": (("{n} days without a lost-time incident", {"n": (300, 1500)}),),
    "operations.resource_scheduling": (
        ("Rosters published {n} weeks ahead; idle time under {pct}%",
         {"n": (2, 6), "pct": (3, 8)}),
    ),
    "operations.standard_procedures": (
        ("{n} written procedures, each reviewed at least yearly", {"n": (25, 140)}),
    ),
    "operations.quality_management": (
        ("ISO 9001 certified since {year} with no major non-conformities",
         {"year": (2010, 2021)}),
    ),
    "operations.service_delivery": (
        ("Average rating 4.{r} out of 5 across {n} online reviews",
         {"r": (5, 9), "n": (300, 4000)}),
    ),
    "operations.operational_kpis": (
        ("Weekly KPI board reviewed by the whole team since {year}", {"year": (2015, 2023)}),
    ),
    "operations.continuous_improvement": (
        ("{n} staff improvement ideas put into practice last year", {"n": (20, 120)}),
    ),
    "production.lean_manufacturing": (
        ("Lead time cut from {m} to {n} days with pull scheduling", {"m": (12, 20), "n": (3, 8)}),
    ),
    "production.quality_control": (
        ("Customer reject rate below {n} parts per million", {"n": (150, 900)}),
    ),
    "production.preventive_maintenance": (
        ("Unplanned downtime under {pct}% of machine hours", {"pct": (1, 3)}),
    ),
    "production.production_planning": (
        ("{pct}% on-time-in-full against the weekly plan", {"pct": (92, 99)}),
    ),
    "production.traceability": (
        ("Any batch traced back to raw-material lots in under {n} minutes", {"n": (5, 30)}),
    ),
    "production.process_engineering": (("First-pass yield raised to {pct}%", {"pct": (94, 99)}),),
    "production.packaging_labelling": (
        ("No labelling complaint or recall since {year}", {"year": (2012, 2021)}),
    ),
    "production.workplace_organisation": (
        ("Weekly 5S audits; average score {pct}%", {"pct": (85, 98)}),
    ),
    "supply_chain.transport_planning": (
        ("{pct}% on-time delivery across {n} shipments a month",
         {"pct": (94, 99), "n": (300, 5000)}),
    ),
    "supply_chain.warehousing": (("Picking accuracy above 99.{r}%", {"r": (5, 9)}),),
    "supply_chain.last_mile_delivery": (
        ("{pct}% of orders delivered on the promised day", {"pct": (95, 99)}),
    ),
    "supply_chain.inventory_management": (
        ("Stock accuracy {pct}% at the last full count; {n} stock turns a year",
         {"pct": (97, 99), "n": (6, 14)}),
    ),
    "supply_chain.import_export": (
        ("{n} import and export shipments cleared last year without a customs penalty",
         {"n": (40, 600)}),
    ),
    "supply_chain.procurement": (
        ("Prices benchmarked yearly; {pct}% of spend under contract", {"pct": (60, 90)}),
    ),
    "supply_chain.supplier_management": (
        ("{n} key suppliers scored every quarter on quality, price and delivery",
         {"n": (8, 40)}),
    ),
    "supply_chain.returns_management": (
        ("Returns refunded or restocked within {n} days", {"n": (2, 5)}),
    ),
    "supply_chain.demand_planning": (
        ("Forecast accuracy of {pct}% at product level", {"pct": (75, 90)}),
    ),
    "finance.invoicing_collections": (
        ("Debtor days down to {n}; invoices go out the day work is signed off",
         {"n": (22, 35)}),
    ),
    "finance.bookkeeping": (("Books closed by working day {n} every month", {"n": (3, 7)}),),
    "finance.tax_compliance": (
        ("Every return filed on time for {n} years running", {"n": (5, 15)}),
    ),
    "finance.management_reporting": (
        ("One-page monthly pack of profit, cash and KPIs, out by working day {n}",
         {"n": (5, 10)}),
    ),
    "finance.budgeting": (
        ("Spending within {pct}% of budget for the last three years", {"pct": (2, 5)}),
    ),
    "finance.cash_flow": (("Thirteen-week cash forecast updated every Monday", {}),),
    "it.software_development": (
        ("{n} releases a month with automated tests on every change", {"n": (4, 30)}),
    ),
    "it.cloud_infrastructure": (
        ("Uptime of 99.9{r}% across production last year", {"r": (0, 9)}),
    ),
    "it.cybersecurity": (
        ("Multi-factor login everywhere; phishing drill click rate under {pct}%",
         {"pct": (2, 6)}),
    ),
    "it.workflow_automation": (
        ("{n} hours of manual work a month removed with automations", {"n": (40, 300)}),
    ),
    "it.business_intelligence": (("Live dashboards used in every weekly management meeting", {}),),
    "it.website_ecommerce": (("Online conversion rate of {n}.{r}%", {"n": (2, 4), "r": (0, 9)}),),
    "it.data_protection": (
        ("Clean external data-protection audit in {year}", {"year": (2021, 2024)}),
    ),
    "customer_service.feedback_surveys": (
        ("NPS of {n} from {m} responses last quarter", {"n": (55, 80), "m": (200, 3000)}),
    ),
    "customer_service.complaint_handling": (
        ("{pct}% of complaints resolved within 48 hours", {"pct": (85, 98)}),
    ),
    "customer_service.live_chat_phone": (
        ("Median answer time under {n} seconds", {"n": (15, 40)}),
    ),
    "customer_service.ticket_handling": (
        ("{pct}% of tickets resolved within one working day", {"pct": (80, 95)}),
    ),
    "customer_service.knowledge_base": (
        ("{n} help articles answer about {pct}% of questions before they reach us",
         {"n": (60, 300), "pct": (25, 45)}),
    ),
    "customer_service.retention": (
        ("{pct}% of customers come back within a year", {"pct": (55, 80)}),
    ),
    "customer_service.after_sales_service": (
        ("Warranty repairs turned around in {n} days on average", {"n": (2, 6)}),
    ),
    "customer_service.customer_onboarding": (
        ("New customers up and running within {n} days on average", {"n": (3, 14)}),
    ),
    "design.ui_design": (("Shortlisted for {n} industry design awards", {"n": (2, 5)}),),
    "design.interaction_design": (
        ("Redesigned checkout flows raised client conversion by {pct}% on average",
         {"pct": (10, 35)}),
    ),
    "design.user_research": (
        ("{n} user interviews a month across client projects", {"n": (10, 40)}),
    ),
    "design.design_systems": (
        ("Shared component library used across {n} client products", {"n": (4, 20)}),
    ),
    "design.usability_testing": (
        ("Every release usability-tested with at least {n} real users", {"n": (5, 8)}),
    ),
    "design.graphic_design": (
        ("In-house studio produces {n} campaign assets a month", {"n": (40, 200)}),
    ),
    "design.product_design": (
        ("{n} products designed in-house and in production", {"n": (10, 60)}),
    ),
    "design.packaging_design": (
        ("Packaging redesign lifted shelf sales by {pct}%", {"pct": (8, 25)}),
    ),
    "design.visual_media": (
        ("{n} product shoots and videos produced a month", {"n": (8, 40)}),
    ),
    "administration.regulatory_filings": (
        ("Every licence and statutory filing in one calendar; no penalties since {year}",
         {"year": (2012, 2021)}),
    ),
    "administration.contract_management": (
        ("All {n} live contracts in one register with renewal alerts", {"n": (40, 400)}),
    ),
    "administration.document_management": (
        ("Paperless since {year}; any file found in under a minute", {"year": (2015, 2022)}),
    ),
    "administration.front_desk": (
        ("Online booking handles {pct}% of appointments", {"pct": (50, 85)}),
    ),
    "administration.company_secretarial": (
        ("Statutory registers and minutes audited clean every year", {}),
    ),
    "strategy.business_planning": (
        ("Three-year plan refreshed every year and reviewed quarterly", {}),
    ),
    "strategy.competitor_analysis": (
        ("Quarterly competitor review covering {n} rivals", {"n": (5, 15)}),
    ),
    "strategy.market_expansion": (
        ("Opened in {n} new cities in the last three years", {"n": (2, 6)}),
    ),
    "strategy.goal_setting": (
        ("Quarterly OKRs published to the whole team since {year}", {"year": (2016, 2023)}),
    ),
    "strategy.pricing_strategy": (
        ("Gross margin up {n} points after a value-based price review", {"n": (3, 9)}),
    ),
    "strategy.sustainability": (
        ("Carbon footprint measured yearly; emissions down {pct}% since {year}",
         {"pct": (10, 35), "year": (2016, 2020)}),
    ),
    "strategy.partnerships": (
        ("{n} active partnerships with complementary firms", {"n": (3, 12)}),
    ),
    "strategy.risk_management": (("Risk register reviewed by the owners every quarter", {}),),
}

_NEED_EVIDENCE: dict[str, tuple[_Template, ...]] = {
    "marketing.lead_generation": (
        ("Fewer than {n} inbound enquiries a month; almost all work comes from referrals",
         {"n": (2, 6)}),
    ),
    "marketing.content_marketing": (
        ("No blog or newsletter; the website has not changed since {year}",
         {"year": (2016, 2021)}),
    ),
    "marketing.seo": (("Not on the first page of Google for our own service in {city}", {}),),
    "marketing.social_media": (("Social accounts exist but post less than once a month", {}),),
    "marketing.paid_advertising": (
        ("Tried search ads once and spent the budget with no measurable leads", {}),
    ),
    "marketing.email_campaigns": (
        ("{n} customer e-mail addresses collected and never used", {"n": (300, 4000)}),
    ),
    "marketing.brand": (("Logo, website and brochures all look different", {}),),
    "finance.invoicing_collections": (
        ("Debtor days around {n}; invoices go out weeks after delivery", {"n": (60, 110)}),
    ),
    "finance.cash_flow": (
        ("Cash squeezes every quarter; no forecast beyond the bank balance", {}),
    ),
    "finance.product_costing": (("We do not know which products or clients make money", {}),),
    "finance.budgeting": (("No budget; spending is approved case by case", {}),),
    "finance.funding": (("Turned down for a working-capital loan last year", {}),),
    "hr.recruitment": (("Key hires take {n} months on average", {"n": (3, 6)}),),
    "hr.training": (("No training plan; people learn by watching others", {}),),
    "hr.onboarding": (
        ("{pct}% of new hires leave in their first three months", {"pct": (20, 40)}),
    ),
    "hr.employee_engagement": (("Staff turnover of {pct}% last year", {"pct": (25, 45)}),),
    "hr.performance_reviews": (("No regular reviews; pay rises are ad hoc", {}),),
    "hr.workforce_planning": (
        ("Busy seasons always mean overtime and rushed temporary hires", {}),
    ),
    "it.website_ecommerce": (("Orders still come in by phone and WhatsApp only", {}),),
    "it.business_intelligence": (("Reports are built by hand in spreadsheets every month", {}),),
    "it.workflow_automation": (
        ("Staff retype the same data into {n} different tools", {"n": (3, 6)}),
    ),
    "it.cybersecurity": (("No multi-factor login; one phishing incident last year", {}),),
    "sales.tenders_rfps": (("Never bid for a public tender", {}),),
    "sales.pipeline_management": (("Deals are tracked in people's heads and inboxes", {}),),
    "sales.partner_channels": (("No resellers; every sale is made by the owner", {}),),
    "supply_chain.demand_planning": (
        ("Best sellers run out while slow lines pile up in the store room", {}),
    ),
    "strategy.pricing_strategy": (("Prices unchanged for {n} years", {"n": (3, 6)}),),
    "strategy.sustainability": (
        ("Large customers now ask for emissions data we cannot provide", {}),
    ),
    "operations.standard_procedures": (
        ("Nothing is written down; quality depends on who is on shift", {}),
    ),
    "customer_service.complaint_handling": (
        ("Complaints go to whoever picks up the phone and are not recorded", {}),
    ),
    "design.packaging_design": (("Packaging designed by the printer, with no brief", {}),),
    "administration.contract_management": (("Missed two contract renewals last year", {}),),
}
# fmt: on


def _fill(template: _Template, rng: random.Random, city: str) -> str:
    text, ranges = template
    values: dict[str, str] = {"city": city}
    for name, (low, high) in ranges.items():
        value = rng.randint(low, high)
        # Years read without a thousands separator; counts read better with one.
        values[name] = str(value) if name == "year" else f"{value:,}"
    return text.format(**values)


# ---------------------------------------------------------------------------------------------
# Generation
# ---------------------------------------------------------------------------------------------


def slugify(text: str) -> str:
    """Lower-case ASCII words joined by hyphens ("Ipê Café Ltda" → "ipe-cafe-ltda")."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def _clamp(value: float, low: int, high: int) -> int:
    return max(low, min(high, round(value)))


def _weighted(rng: random.Random, items: tuple[T, ...], weights: tuple[int, ...]) -> T:
    return rng.choices(items, weights=weights, k=1)[0]


def _languages(rng: random.Random, country: Country, city: City) -> list[str]:
    languages = list(country.languages)
    for language, probability in country.optional_languages:
        if rng.random() < probability:
            languages.append(language)
    for language in city.regional_languages:
        if rng.random() < 0.5:
            languages.append(language)
    return list(dict.fromkeys(languages))


def _name(rng: random.Random, archetype: Archetype, variant: Variant, country: Country) -> str:
    style = archetype.name_style
    if style == "either":
        style = "surname" if rng.random() < 0.35 else "brand"
    if style == "surname":
        root = rng.choice(country.surnames)
    else:
        root = rng.choice(country.brand_roots + _GLOBAL_BRAND_ROOTS)
    name = f"{root} {rng.choice(variant.suffixes)}"
    if rng.random() < 0.35:
        name = f"{name} {rng.choice(country.legal_forms)}"
    return name


def _unique_name(
    rng: random.Random,
    archetype: Archetype,
    variant: Variant,
    country: Country,
    city: City,
    taken_slugs: set[str],
) -> str:
    for _ in range(8):
        candidate = _name(rng, archetype, variant, country)
        if slugify(candidate) not in taken_slugs:
            return candidate
    # As real firms with a common name do: add the city, then a branch number.
    base = f"{_name(rng, archetype, variant, country)} {city.name}"
    candidate, number = base, 2
    while slugify(candidate) in taken_slugs:
        candidate, number = f"{base} {number}", number + 1
    return candidate


def _department_role(archetype: Archetype, department: str, size_band: str) -> Role:
    if department in archetype.core:
        return "core"
    if department in archetype.secondary:
        return "secondary"
    # Every firm keeps books and files; firms with staff also run HR and some IT.
    if department in ("finance", "administration"):
        return "basic"
    if department in ("hr", "it") and size_band != "1-9":
        return "basic"
    return "other"


def _need_for(rng: random.Random, level: int, role: Role) -> int:
    """How badly a firm wants to improve a process it runs at ``level``."""
    if level <= 2 and role in ("core", "secondary"):
        if rng.random() < 0.3:
            return 3 if level == 1 and role == "core" else rng.choice((1, 2))
    elif level <= 2:
        if rng.random() < 0.15:
            return rng.choice((1, 2))
    elif level == 3 and rng.random() < 0.04:
        return 1
    return 0


@cache
def _candidates(archetype: Archetype, size_band: str) -> tuple[tuple[str, Role, float, float], ...]:
    """Every process with the firm's role for its department and that role's selection score."""
    candidates: list[tuple[str, Role, float, float]] = []
    for department, keys in department_processes().items():
        role = _department_role(archetype, department, size_band)
        base, spread = _SELECTION_BASE[role], _SELECTION_SPREAD[role]
        candidates.extend((key, role, base, spread) for key in keys)
    return tuple(candidates)


@lru_cache(maxsize=1)
def _process_position() -> dict[str, int]:
    """Taxonomy order, so every business lists its cells department by department."""
    return {key: position for position, key in enumerate(process_keys())}


def _cells(
    rng: random.Random, archetype: Archetype, size_band: str, city: str
) -> list[dict[str, Any]]:
    maturity = _MATURITY_BY_SIZE[size_band] + rng.gauss(0.0, 0.4)
    cell_count = rng.randint(*_CELL_COUNT_BY_SIZE[size_band])

    strengths = rng.sample(archetype.strengths, rng.randint(3, len(archetype.strengths)))
    typical_needs = rng.sample(archetype.typical_needs, rng.randint(2, 4))
    chosen: dict[str, Role] = dict.fromkeys(strengths, "strength")
    for key in typical_needs:
        chosen.setdefault(key, "need")

    # Highest scores first; sorting on (-score, key) keeps ties deterministic.
    draw = rng.random
    ranked = sorted(
        (-(base + draw() * spread), key, role)
        for key, role, base, spread in _candidates(archetype, size_band)
        if key not in chosen
    )
    for _, key, role in ranked[: max(0, cell_count - len(chosen))]:
        chosen[key] = role

    cells: list[dict[str, Any]] = []
    need_count = 0
    position = _process_position()
    for key in sorted(chosen, key=position.__getitem__):
        cell_role = chosen[key]
        if cell_role == "strength":
            level = _clamp(4.3 + 0.8 * maturity + rng.gauss(0.0, 0.5), 3, 5)
            need = 0
        elif cell_role == "need":
            level = rng.choice((0, 1, 1, 2))
            need = rng.choice((2, 3, 3))
        else:
            level = _clamp(_BASE_LEVEL[cell_role] + maturity + rng.gauss(0.0, 0.7), 1, 5)
            need = _need_for(rng, level, cell_role)
        if need and need_count >= _MAX_NEEDS:
            need = 0
        need_count += need > 0
        offer = need == 0 and rng.random() < _OFFER_PROBABILITY.get(level, 0.0)

        cell: dict[str, Any] = {"process": key, "level": level, "offer": offer, "need": need}
        if need and level < 5 and rng.random() < 0.6:
            cell["target_level"] = min(5, level + rng.randint(1, 3))
        templates: tuple[_Template, ...] = ()
        if offer:
            templates = _STRENGTH_EVIDENCE.get(key, ())
        elif need:
            templates = _NEED_EVIDENCE.get(key, ())
        if templates and rng.random() < (0.5 if offer else 0.35):
            cell["evidence"] = _fill(rng.choice(templates), rng, city)
        if level > 0 or need > 0:
            cells.append(cell)
    return cells


def _reach_implied_by(description: str) -> str:
    """A firm that says it serves its whole region or country has at least that reach."""
    if "{country}" in description:
        return "national"
    if "{region}" in description:
        return "regional"
    return "local"


def _business(
    rng: random.Random, index: int, archetype: Archetype, taken_slugs: set[str]
) -> dict[str, Any]:
    country = _weighted(rng, COUNTRIES, tuple(country.weight for country in COUNTRIES))
    city = _weighted(rng, country.cities, tuple(city.weight for city in country.cities))
    variant = rng.choice(archetype.variants)
    size_band = _weighted(rng, SIZE_BANDS, archetype.size_weights)
    reach = _weighted(rng, MARKET_REACHES, archetype.reach_weights)
    if size_band == "1-9" and reach == "international" and rng.random() < 0.5:
        reach = "national"
    description = rng.choice(variant.descriptions)
    implied = _reach_implied_by(description)
    if MARKET_REACHES.index(reach) < MARKET_REACHES.index(implied):
        reach = implied

    name = _unique_name(rng, archetype, variant, country, city, taken_slugs)
    slug = slugify(name)
    taken_slugs.add(slug)

    headcount = rng.randint(*_HEADCOUNT_BY_SIZE[size_band])
    founded = rng.randint(1988, 2022)
    sentence = description.format(city=city.name, region=city.region, country=country.name)
    return {
        "id": f"ext-{index:04d}",
        "name": name,
        "slug": slug,
        "description": f"{sentence} Founded in {founded}; {headcount} people.",
        "website": f"https://{slug}.example",
        "isic": variant.isic,
        "country": country.code,
        "region": city.region,
        "city": city.name,
        "market_reach": reach,
        "size_band": size_band,
        "languages": _languages(rng, country, city),
        "hosting_capacity": rng.randint(*_CAPACITY_BY_SIZE[size_band]),
        "visibility": "public",
        "excluded": [],
        "cells": _cells(rng, archetype, size_band, city.name),
    }


def _add_exclusions(rng: random.Random, businesses: list[dict[str, Any]]) -> None:
    """A few firms refuse one or two others, usually a rival in their own ISIC group."""
    everyone = [business["id"] for business in businesses]
    same_kind: dict[str, list[str]] = {}
    for business in businesses:
        same_kind.setdefault(business["isic"][:3], []).append(business["id"])
    for business in businesses:
        if rng.random() >= _EXCLUDING_SHARE:
            continue
        own_id = business["id"]
        rivals = same_kind[business["isic"][:3]]
        pool = rivals if len(rivals) > 1 and rng.random() < 0.75 else everyone
        wanted = rng.randint(1, 2)
        # Sampling one extra and dropping the firm itself keeps this linear in the population.
        picked = [
            other for other in rng.sample(pool, min(len(pool), wanted + 1)) if other != own_id
        ]
        business["excluded"] = sorted(picked[:wanted])


def generate_businesses(n: int, seed: int = 7) -> list[dict[str, Any]]:
    """``n`` realistic businesses in the import JSON shape; the same seed gives the same list.

    The first businesses walk through every archetype once, in a seeded order, so that even a
    small demo shows the whole range of industries; after that archetypes are drawn by how
    common they are. Ids are ``ext-0001``, ``ext-0002``, …; names and slugs are unique.
    """
    if n < 0:
        raise ValueError(f"n must not be negative, got {n}")
    rng = random.Random(seed)  # noqa: S311 -- reproducible demo data, not secrets
    order = list(ARCHETYPES)
    rng.shuffle(order)
    weights = tuple(archetype.weight for archetype in ARCHETYPES)

    taken_slugs: set[str] = set()
    businesses: list[dict[str, Any]] = []
    for index in range(1, n + 1):
        in_first_round = index <= len(order)
        archetype = order[index - 1] if in_first_round else _weighted(rng, ARCHETYPES, weights)
        businesses.append(_business(rng, index, archetype, taken_slugs))
    _add_exclusions(rng, businesses)
    return businesses


# ---------------------------------------------------------------------------------------------
# The reference story (PRODUCT.md §1)
# ---------------------------------------------------------------------------------------------

AFREEN_ID = "story-afreen"
RAJEEV_ID = "story-rajeev"


def _cell(
    process: str,
    level: int,
    *,
    offer: bool = False,
    need: int = 0,
    target_level: int | None = None,
    evidence: str | None = None,
) -> dict[str, Any]:
    cell: dict[str, Any] = {"process": process, "level": level, "offer": offer, "need": need}
    if target_level is not None:
        cell["target_level"] = target_level
    if evidence is not None:
        cell["evidence"] = evidence
    return cell


def reference_story() -> list[dict[str, Any]]:
    """Afreen's gig-staffing firm and Rajeev's UI/UX consultancy, as in PRODUCT.md §1.

    They do not compete: Afreen's firm is ISIC 7830 (group 783, other human resources
    provision) and Rajeev's is 7410 (group 741, specialized design activities). Afreen is strong
    in paid advertising, recruitment, freelancer payroll and collections, and weak in organic
    lead generation and content marketing; Rajeev is close to the mirror image, so each can host
    the other's employee.
    """
    # fmt: off
    afreen_cells = [
        _cell("sales.pipeline_management", 3),
        _cell("sales.proposals_quotes", 4, offer=True,
              evidence="Booking quotes sent within 2 hours of an enquiry"),
        _cell("sales.account_management", 4, offer=True,
              evidence="Top 25 clients reviewed every quarter; 91% booked again last year"),
        _cell("marketing.paid_advertising", 5, offer=True,
              evidence="75% of new clients come from paid ads; cost per lead down 30% in a year"),
        _cell("marketing.lead_generation", 1, need=3, target_level=3,
              evidence="Organic enquiries are rare: two or three a month, all by word of mouth"),
        _cell("marketing.content_marketing", 1, need=3, target_level=3,
              evidence="No blog, newsletter or videos yet; the website only lists our services"),
        _cell("marketing.social_media", 2, need=2, target_level=3),
        _cell("marketing.seo", 1, need=2, target_level=3),
        _cell("marketing.email_campaigns", 2, need=1),
        _cell("marketing.marketing_analytics", 4,
              evidence="Every ad-driven lead attributed to its campaign"),
        _cell("hr.recruitment", 5, offer=True,
              evidence="About 120 freelance writers and designers screened a month; median "
                       "time-to-fill of 3 days"),
        _cell("hr.onboarding", 4, offer=True),
        _cell("hr.workforce_planning", 5, offer=True,
              evidence="Pool of 400 pre-vetted freelancers who can start within 48 hours"),
        _cell("hr.payroll_admin", 4, offer=True,
              evidence="Pays about 300 freelancers every week without a late payment"),
        _cell("hr.hr_policies_compliance", 3),
        _cell("hr.performance_reviews", 3),
        _cell("operations.resource_scheduling", 4, offer=True),
        _cell("finance.invoicing_collections", 4, offer=True,
              evidence="Debtor days down to 28; invoices go out the day a booking ends"),
        _cell("finance.bookkeeping", 3),
        _cell("finance.cash_flow", 3),
        _cell("customer_service.ticket_handling", 3),
        _cell("customer_service.retention", 3),
        _cell("it.workflow_automation", 2),
        _cell("strategy.pricing_strategy", 3),
    ]
    rajeev_cells = [
        _cell("sales.pipeline_management", 3),
        _cell("sales.proposals_quotes", 4, offer=True),
        _cell("marketing.content_marketing", 5, offer=True,
              evidence="60% of qualified leads first read one of our articles or watched a "
                       "video; 8 pieces published a month"),
        _cell("marketing.paid_advertising", 1, need=1),
        _cell("marketing.seo", 4, offer=True),
        _cell("marketing.email_campaigns", 4, offer=True,
              evidence="Fortnightly newsletter to 9,000 subscribers with a 44% open rate"),
        _cell("marketing.lead_generation", 4, offer=True,
              evidence="About 40 inbound enquiries a month, each tracked to its first touch"),
        _cell("marketing.social_media", 4, offer=True),
        _cell("marketing.brand", 4),
        _cell("hr.recruitment", 1, need=3, target_level=4,
              evidence="Two senior designer hires took more than four months each last year"),
        _cell("hr.onboarding", 2, need=2, target_level=4),
        _cell("hr.workforce_planning", 1, need=2, target_level=3,
              evidence="Turns down projects in busy months for lack of extra designers"),
        _cell("operations.project_management", 4, offer=True),
        _cell("finance.bookkeeping", 3),
        _cell("finance.invoicing_collections", 2, need=2, target_level=4,
              evidence="Debtor days around 75; milestone invoices go out weeks late"),
        _cell("finance.cash_flow", 2, need=1),
        _cell("it.website_ecommerce", 4),
        _cell("customer_service.customer_onboarding", 3),
        _cell("design.user_research", 4, offer=True),
        _cell("design.interaction_design", 5, offer=True),
        _cell("design.ui_design", 5, offer=True,
              evidence="Shortlisted for 3 industry design awards"),
        _cell("design.design_systems", 4, offer=True),
        _cell("design.usability_testing", 4),
    ]
    # fmt: on
    afreen = {
        "id": AFREEN_ID,
        "name": "Afreen Talent Studio",
        "slug": "afreen-talent-studio",
        "description": (
            "Gig staffing for creative work: clients book vetted content writers, designers and "
            "video editors for a few hours or several months. Founded in 2017 in Pune; 28 "
            "people and a pool of 400 freelancers."
        ),
        "website": "https://afreen-talent-studio.example",
        "isic": "7830",
        "country": "IN",
        "region": "Maharashtra",
        "city": "Pune",
        "market_reach": "national",
        "size_band": "10-49",
        "languages": ["en", "hi", "mr"],
        "hosting_capacity": 2,
        "visibility": "public",
        "excluded": [],
        "cells": afreen_cells,
    }
    rajeev = {
        "id": RAJEEV_ID,
        "name": "Rajeev Design Consultancy",
        "slug": "rajeev-design-consultancy",
        "description": (
            "UI/UX design consultancy for software companies in India, Europe and the US: user "
            "research, product design and design systems. Its content team brings in most new "
            "clients through articles, videos, e-mail and social posts. Founded in 2014; 35 "
            "people."
        ),
        "website": "https://rajeev-design-consultancy.example",
        "isic": "7410",
        "country": "IN",
        "region": "Maharashtra",
        "city": "Pune",
        "market_reach": "international",
        "size_band": "10-49",
        "languages": ["en", "hi", "mr"],
        "hosting_capacity": 2,
        "visibility": "public",
        "excluded": [],
        "cells": rajeev_cells,
    }
    return [afreen, rajeev]
