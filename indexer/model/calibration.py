"""Texts that calibrate the int8 OpenVINO encoder: the range of each activation is measured on
them once, when the model is quantized. Written for Verbatim, in the registers it indexes
(wire copy, council debate, general-debate speeches, research abstracts, short queries),
so that no user's collection is needed and every install quantizes the model the same way.
"""

from __future__ import annotations

CALIBRATION_TEXTS: tuple[str, ...] = (
    "The ferry left the harbour two hours late on Tuesday after port officials inspected its "
    "cargo, a spokeswoman for the operator said, adding that no passengers had been hurt.",
    "Talks between the two delegations resumed in Geneva on Monday, but diplomats said a "
    "ceasefire agreement was unlikely before the end of the month.",
    "\"We will not accept a settlement that leaves families without homes,\" the minister told "
    "reporters outside parliament, where the budget vote was postponed.",
    "Prices of wheat and maize rose for a third consecutive week as exporters struggled to "
    "find ships willing to cross the strait, traders in Singapore said.",
    "The President: I give the floor to the representative of the Russian Federation.",
    "Mr. President, my delegation thanks the Under-Secretary-General for Humanitarian Affairs "
    "for her briefing and shares her alarm at the situation of civilians in the north-west.",
    "The Security Council must act now to ensure unimpeded humanitarian access across the "
    "border, and to protect hospitals, schools and the workers who keep them open.",
    "Nearly one million people have been displaced since December, most of them women and "
    "children, and many are sleeping in the open in freezing temperatures.",
    "We call on all parties to respect international humanitarian law and to return to the "
    "political process facilitated by the United Nations under resolution 2254 (2015).",
    "The meeting rose at 12.05 p.m.",
    "Small island developing States are on the front line of the climate emergency; for us, "
    "rising seas are not a forecast but a daily reality that threatens our very existence.",
    "My country remains committed to the 2030 Agenda for Sustainable Development, and we have "
    "reduced extreme poverty by half over the past decade through investment in education.",
    "Multilateralism is not a choice but a necessity: no nation alone can defeat a pandemic, "
    "stop the spread of nuclear weapons or end hunger.",
    "We reaffirm our support for the sovereignty, independence and territorial integrity of "
    "all Member States, in accordance with the Charter of the United Nations.",
    "Debt relief for the least developed countries must be part of any credible plan for "
    "recovery, together with fair access to vaccines and to climate finance.",
    "Tumour necrosis factor alpha levels were elevated in patients with severe sepsis compared "
    "with healthy controls, and correlated with mortality at 28 days.",
    "In a randomized controlled trial of 1,204 adults, daily vitamin D supplementation did not "
    "reduce the incidence of fractures over five years of follow-up.",
    "Knockout mice lacking the receptor showed impaired insulin secretion and glucose "
    "intolerance, suggesting a role for the pathway in pancreatic beta cells.",
    "We performed a meta-analysis of 37 cohort studies; higher consumption of processed meat "
    "was associated with a modest increase in the risk of colorectal cancer.",
    "Mutations in the BRCA1 gene increase the lifetime risk of breast and ovarian cancer, but "
    "penetrance varies widely between families.",
    "Antibiotic resistance genes were detected in 64 percent of samples taken from hospital "
    "wastewater, compared with 12 percent of samples from residential areas.",
    "The boundary layer over a flat plate becomes turbulent at high Reynolds numbers, and the "
    "heat transfer coefficient increases accordingly.",
    "Library users searched the catalogue by subject heading less often than by title, and "
    "most searches returned more documents than they were willing to read.",
    "Reporters who covered the election said turnout in the capital was lower than in 2016, "
    "while rural districts saw long queues at polling stations.",
    "The central bank raised its main interest rate by half a percentage point, the largest "
    "increase in two decades, citing inflation that reached 9.1 percent in June.",
    "Firefighters contained the blaze late on Sunday after it destroyed more than 200 homes "
    "and forced the evacuation of three villages, the regional governor said.",
    "Police said the suspect had been detained at the airport and would appear in court on "
    "Friday; his lawyer declined to comment.",
    "humanitarian access Idlib",
    "what did the ambassador say about chemical weapons",
    "climate change small island states",
    "vaccine efficacy in elderly patients",
    "sanctions on arms exports 2019",
    "who spoke about refugees at the General Assembly",
    "Les négociations reprendront à Genève la semaine prochaine, selon un porte-parole.",
    "La delegación expresó su profunda preocupación por la situación humanitaria.",
    "S/PV.8716 Security Council, 8716th meeting, Wednesday, 19 February 2020, 3 p.m., New York",
    "Table 2 shows the mean (SD) scores at baseline, 6 and 12 months: 14.2 (3.1), 11.8 (2.9) "
    "and 10.4 (3.3) respectively; p < 0.001 for the trend.",
    "The cargo manifest listed 1,200 tonnes of flour, 300 tonnes of rice and medical supplies "
    "for four hospitals, according to the World Food Programme.",
    "Members of the Council condemned in the strongest terms the attack on the convoy, which "
    "killed two drivers and destroyed seven trucks carrying food.",
)
